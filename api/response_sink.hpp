// A byte_sink that writes into a streamed HTTP response for blocking producers (image save,
// container export). The response starts (200 + content type) with the first byte, so an error
// before any output can still be answered with a proper status. Writes wait while the client is
// more than a bounded amount behind.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "api/exchange.hpp"
#include "base/byte_sink.hpp"

namespace berth::api {

class response_sink final : public byte_sink {
public:
  static constexpr size_t max_queued = 8 << 20;

  response_sink(exchange_ptr ex, std::string content_type)
    : ex_(std::move(ex)), content_type_(std::move(content_type)) {}

  [[nodiscard]] caf::error write(const char* data, size_t n) override;

  /// Adds a header to the response; only before the first write.
  void add_header(std::string name, std::string value);

  /// True once the response has started.
  [[nodiscard]] bool started() const;

  /// Ends the response (if started).
  void finish();

private:
  exchange_ptr ex_;
  std::string content_type_;
  std::vector<std::pair<std::string, std::string>> headers_;
  mutable std::mutex mutex_;
  std::shared_ptr<response_stream> stream_;
};

} // namespace berth::api
