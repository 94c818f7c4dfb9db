// What an HTTP connection offers the request it is serving. Implemented by the Beast session;
// every method is thread-safe (it hops onto the connection's strand).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/http_types.hpp"
#include "base/spliceable_connection.hpp"

namespace berth::api {

/// Facts about the request being answered, for the access log and the metrics.
struct request_info {
  std::string method;
  std::string route;  ///< route pattern, or "unmatched"
  std::string target; ///< as received
  int64_t start_nanos = 0;
};

class response_channel {
 public:
  virtual ~response_channel() = default;

  /// Sends a complete response.
  virtual void send(http_response response, request_info info) = 0;

  /// Sends the status line and headers of a chunked response; chunks follow.
  virtual void begin_stream(http_response head, request_info info) = 0;

  /// Queues one chunk of a streamed response.
  virtual void stream_write(std::string chunk) = 0;

  /// Ends a streamed response (last chunk).
  virtual void stream_end() = 0;

  /// Sends `head` (101 UPGRADED, or 200 when the client did not ask to upgrade) and hands the
  /// raw connection over.
  [[nodiscard]] virtual std::shared_ptr<spliceable_connection> upgrade(http_response head,
                                                                       request_info info) = 0;

  /// Bytes queued but not yet written on this connection.
  [[nodiscard]] virtual size_t queued_bytes() const = 0;

  /// Registers `fn` to run once when the client disconnects during a streamed response (or the
  /// daemon closes it). Runs on the connection's thread; keep it short.
  virtual void on_client_gone(std::function<void()> fn) = 0;

  /// Registers `fn` to run after each chunk of a streamed response has been written (and when the
  /// connection closes), so that blocking producers can wait for room. Runs on the connection's
  /// thread; keep it short.
  virtual void on_progress(std::function<void()> fn) = 0;
};

} // namespace berth::api
