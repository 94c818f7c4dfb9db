// One HTTP/1.1 connection of the registry client (internal to http_client): plain TCP or TLS
// over Beast, every operation blocking with its own timeout. Async operations run on the
// connection's private io_context, driven by the calling thread, because Asio's synchronous
// operations cannot time out.
// Thread-safety: none; a connection is used by one thread at a time (the pool hands it out).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <caf/expected.hpp>

#include "registry/tls_settings.hpp"
#include "registry/url.hpp"

namespace berth::registry::detail {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace asio = boost::asio;

using request_serializer = http::request_serializer<http::buffer_body>;
using response_parser = http::response_parser<http::buffer_body>;

/// A TLS client context built from `settings` (system roots, extra CAs, client certificate).
[[nodiscard]] caf::expected<std::shared_ptr<asio::ssl::context>>
make_tls_context(const tls_settings& settings);

class http_connection {
 public:
  /// Resolves and connects to `target`'s endpoint, with a TLS handshake (SNI, chain and name
  /// checks when `verify`) for https. Errors are Go-like causes without the request prefix, e.g.
  /// "dial tcp 127.0.0.1:1: connect: connection refused".
  [[nodiscard]] static caf::expected<std::unique_ptr<http_connection>>
  open(const url& target, std::shared_ptr<asio::ssl::context> tls, bool verify,
       std::chrono::milliseconds connect_timeout, std::chrono::milliseconds io_timeout);

  ~http_connection();

  [[nodiscard]] beast::error_code write_header(request_serializer& sr);
  /// Writes what the serializer has; need_buffer means it wants the next piece.
  [[nodiscard]] beast::error_code write_some(request_serializer& sr);
  [[nodiscard]] beast::error_code read_header(response_parser& p);
  /// Reads into the parser's buffer body; need_buffer means the buffer is full.
  [[nodiscard]] beast::error_code read_some(response_parser& p);

  /// True when the peer closed the idle connection or sent something unasked (not reusable).
  [[nodiscard]] bool looks_closed();

  std::chrono::steady_clock::time_point idle_since;

 private:
  http_connection() = default;
  template <class Initiate>
  beast::error_code run(Initiate&& initiate);
  beast::tcp_stream& tcp();

  asio::io_context ioc_;
  std::shared_ptr<asio::ssl::context> tls_context_;
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
  beast::flat_buffer buffer_;
  std::chrono::milliseconds io_timeout_{};
};

/// Go-like text of a transport error, e.g. "read: connection reset by peer".
[[nodiscard]] std::string describe_transport_error(const beast::error_code& ec);

} // namespace berth::registry::detail
