// One HTTP/1.1 connection of the registry client (internal to http_client): plain TCP or TLS
// over Beast, directly or through an HTTP proxy (a CONNECT tunnel for https targets, requests in
// absolute form for http ones; the proxy itself over TCP or TLS), every operation blocking with
// its own timeout. Async operations run on the
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

#include "base/proxy_url.hpp"
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

/// The proxy a connection goes through.
struct proxy_hop {
  proxy_url proxy;
  /// TLS to an https proxy (null for an http one) and whether its certificate is verified.
  std::shared_ptr<asio::ssl::context> tls;
  bool verify = true;
  /// The Proxy-Authorization value ("Basic ..."), empty without credentials.
  std::string authorization;
};

class http_connection {
 public:
  /// Resolves and connects to `target`'s endpoint, with a TLS handshake (SNI, chain and name
  /// checks when `verify`) for https. With `hop`, connects to the proxy instead (the target's
  /// name is never resolved here): a CONNECT tunnel to the target for https, then the same TLS
  /// handshake inside it; for http the connection then forwards requests in absolute form.
  /// Errors are Go-like causes without the request prefix, e.g.
  /// "dial tcp 127.0.0.1:1: connect: connection refused"; a proxy's start with "proxyconnect
  /// tcp: " and name the proxy, e.g. "proxyconnect tcp: dial tcp 127.0.0.1:9: connect:
  /// connection refused".
  [[nodiscard]] static caf::expected<std::unique_ptr<http_connection>>
  open(const url& target, const proxy_hop* hop, std::shared_ptr<asio::ssl::context> tls,
       bool verify, std::chrono::milliseconds connect_timeout,
       std::chrono::milliseconds io_timeout);

  /// True when requests go to a proxy in absolute form (plain http through a proxy).
  [[nodiscard]] bool forwards_to_proxy() const { return proxy_authorization_.has_value(); }
  /// The Proxy-Authorization value such requests carry (empty: none).
  [[nodiscard]] const std::string& proxy_authorization() const { return *proxy_authorization_; }

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
  using proxy_tls_stream = asio::ssl::stream<beast::tcp_stream>;

  template <class Initiate>
  beast::error_code run(Initiate&& initiate);
  /// Calls `f` with the outermost stream.
  template <class F>
  beast::error_code with_stream(F&& f);
  beast::tcp_stream& tcp();
  caf::error connect_tcp(const std::string& host, uint16_t port, std::chrono::milliseconds timeout);
  template <class Stream>
  caf::error tls_handshake(Stream& stream, const std::string& host, bool verify,
                           std::chrono::milliseconds timeout);
  template <class Stream>
  caf::error open_tunnel(Stream& stream, const proxy_hop& hop, const url& target,
                         std::chrono::milliseconds timeout);

  asio::io_context ioc_;
  std::shared_ptr<asio::ssl::context> tls_context_;
  std::shared_ptr<asio::ssl::context> proxy_tls_context_;
  // One of these is the connection, the others are empty: plain TCP; TLS (direct or inside a
  // tunnel through an http proxy); TLS to an https proxy; TLS inside a tunnel through one.
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
  std::optional<proxy_tls_stream> proxy_tls_;
  std::optional<beast::ssl_stream<proxy_tls_stream>> tls_in_proxy_tls_;
  std::optional<std::string> proxy_authorization_; ///< set when forwarding to a proxy
  beast::flat_buffer buffer_;
  std::chrono::milliseconds io_timeout_{};
};

/// Go-like text of a transport error, e.g. "read: connection reset by peer".
[[nodiscard]] std::string describe_transport_error(const beast::error_code& ec);

} // namespace berth::registry::detail
