// The response of a pull or push: Docker's JSON message stream, started with the first message
// (so a failure before any progress is still answered with its own status and {"message"}, as
// dockerd does), byte-progress updates dropped while the client is more than a bounded amount
// behind, and a stop token requested when the client goes away.
// Thread-safety: thread-safe (transfer threads write, the bridge actor finishes).
#pragma once

#include <memory>
#include <mutex>
#include <stop_token>

#include <caf/error.hpp>

#include "api/exchange.hpp"
#include "distribution/progress_output.hpp"
#include "distribution/registry_service.hpp"

namespace berth::api {

class response_stream;

class progress_stream final : public distribution::progress_output {
 public:
  /// Beyond this many unsent bytes, byte-progress updates are dropped.
  static constexpr size_t max_behind = 1 << 20;

  /// `operation` counts the pull or push until it has answered (see registry_service).
  progress_stream(exchange_ptr ex, distribution::registry_service::operation operation)
      : ex_(std::move(ex)), operation_(std::move(operation)) {}

  void write(const distribution::json_message& message, bool droppable) override;

  /// Requested when the client goes away (once the stream has started).
  [[nodiscard]] std::stop_token stop_token() const { return stop_.get_token(); }

  /// Ends the response: success closes the stream; an error goes into the stream as
  /// errorDetail when it has started, else it is the response (status + {"message"}).
  void finish(const caf::error& err);

  [[nodiscard]] bool started() const;

 private:
  std::shared_ptr<response_stream> open_locked();

  exchange_ptr ex_;
  mutable std::mutex mutex_;
  std::shared_ptr<response_stream> stream_;
  std::stop_source stop_;
  distribution::registry_service::operation operation_;
};

} // namespace berth::api
