// A chunked response body written piece by piece (events, logs, progress messages). Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "api/response_channel.hpp"

namespace berth::api {

class response_stream : public std::enable_shared_from_this<response_stream> {
 public:
  /// Makes a stream over `channel` (whose head has been sent) and watches for the client leaving.
  [[nodiscard]] static std::shared_ptr<response_stream>
  open(std::shared_ptr<response_channel> channel);

  explicit response_stream(std::shared_ptr<response_channel> channel);
  ~response_stream();
  response_stream(const response_stream&) = delete;
  response_stream& operator=(const response_stream&) = delete;

  /// Queues `chunk`; ignored once closed.
  void write(std::string chunk);

  /// Ends the response; idempotent.
  void close();

  /// True once closed by us or by the client going away.
  [[nodiscard]] bool closed() const { return closed_.load(); }

  /// Bytes written but not yet sent: producers slow down or give up above their limit.
  [[nodiscard]] size_t queued_bytes() const { return channel_->queued_bytes(); }

  /// Runs `fn` once when the client goes away (not when we close). If it already left, runs now.
  void on_client_gone(std::function<void()> fn);

  /// Blocks (for blocking producers only) until fewer than `limit` bytes are queued, the stream
  /// closed, or `timeout` passed. Returns false when closed or timed out.
  [[nodiscard]] bool wait_for_room(size_t limit, std::chrono::milliseconds timeout);

 private:
  void client_gone();
  void progress();

  std::shared_ptr<response_channel> channel_;
  std::atomic<bool> closed_{false};
  std::mutex mutex_;
  std::condition_variable room_;
  bool gone_ = false;
  std::function<void()> gone_callback_;
};

} // namespace berth::api
