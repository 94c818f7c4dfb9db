// One client connection: connect, TLS handshake, timed reads and writes.
#include "registry/http_connection.hpp"

#include <poll.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "base/error.hpp"
#include "base/url_parts.hpp"

namespace berth::registry::detail {

namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

bool is_ip_literal(const std::string& host) {
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

/// Why a TLS handshake failed, in Go's words where they exist.
std::string describe_handshake_error(const beast::error_code& ec, SSL* ssl_handle) {
  if (ec.category() == asio::error::get_ssl_category()) {
    auto reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
    if (reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_PACKET_LENGTH_TOO_LONG)
      return "http: server gave HTTP response to HTTPS client";
    if (reason == SSL_R_CERTIFICATE_VERIFY_FAILED) {
      auto result = SSL_get_verify_result(ssl_handle);
      switch (result) {
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return "tls: failed to verify certificate: x509: certificate signed by unknown authority";
      case X509_V_ERR_HOSTNAME_MISMATCH:
      case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return "tls: failed to verify certificate: x509: certificate is not valid for this host";
      case X509_V_ERR_CERT_HAS_EXPIRED:
      case X509_V_ERR_CERT_NOT_YET_VALID:
        return "tls: failed to verify certificate: x509: certificate has expired or is not yet "
               "valid";
      default:
        return std::string("tls: failed to verify certificate: ") +
               X509_verify_cert_error_string(result);
      }
    }
  }
  auto text = describe_transport_error(ec);
  return text.starts_with("tls: ") || text.starts_with("remote error: ") ? text : "tls: " + text;
}

caf::error transport_failure(const beast::error_code& ec, std::string message) {
  auto kind = ec == beast::error::timeout ? errc::timeout : errc::unavailable;
  return make_error(kind, std::move(message));
}

} // namespace

caf::expected<std::shared_ptr<ssl::context>> make_tls_context(const tls_settings& settings) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  beast::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (settings.system_roots) {
    ctx->set_default_verify_paths(ec);
    if (ec) return make_error(errc::system, "loading the system CA roots: " + ec.message());
  }
  for (const auto& ca : settings.ca_files) {
    ctx->load_verify_file(ca, ec);
    if (ec)
      return make_error(errc::invalid_argument, "loading CA file " + ca + ": " + ec.message());
  }
  if (!settings.client_cert.empty()) {
    ctx->use_certificate_chain_file(settings.client_cert, ec);
    if (!ec) ctx->use_private_key_file(settings.client_key, ssl::context::pem, ec);
    if (ec)
      return make_error(errc::invalid_argument,
                        "loading client certificate " + settings.client_cert + ": " + ec.message());
  }
  ctx->set_verify_mode(settings.verify ? ssl::verify_peer : ssl::verify_none);
  return ctx;
}

std::string describe_transport_error(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return "i/o timeout";
  if (ec == asio::error::connection_reset) return "read: connection reset by peer";
  if (ec == asio::error::broken_pipe) return "write: broken pipe";
  if (ec == asio::error::connection_refused) return "connect: connection refused";
  if (ec == asio::error::eof || ec == http::error::partial_message ||
      ec == http::error::end_of_stream || ec == ssl::error::stream_truncated)
    return "unexpected EOF";
  if (ec.category() == asio::error::get_ssl_category()) {
    const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
    std::string text = reason ? reason : ec.message();
    // The peer's alerts, as Go words them: "remote error: tls: bad certificate".
    if (auto alert = text.find("alert "); alert != std::string::npos)
      return "remote error: tls: " + text.substr(alert + 6);
    return "tls: " + text;
  }
  return ec.message();
}

template <class Initiate>
beast::error_code http_connection::run(Initiate&& initiate) {
  std::optional<beast::error_code> result;
  initiate([&result](beast::error_code ec, auto&&...) { result = ec; });
  ioc_.restart();
  while (!result && ioc_.run_one() > 0) {
  }
  return result.value_or(asio::error::operation_aborted);
}

template <class F>
beast::error_code http_connection::with_stream(F&& f) {
  if (tls_in_proxy_tls_) return f(*tls_in_proxy_tls_);
  if (tls_) return f(*tls_);
  if (proxy_tls_) return f(*proxy_tls_);
  return f(*plain_);
}

beast::tcp_stream& http_connection::tcp() {
  if (tls_in_proxy_tls_) return beast::get_lowest_layer(*tls_in_proxy_tls_);
  if (tls_) return beast::get_lowest_layer(*tls_);
  if (proxy_tls_) return beast::get_lowest_layer(*proxy_tls_);
  return *plain_;
}

http_connection::~http_connection() {
  // A connection whose name lookup failed never got a stream.
  if (!tls_in_proxy_tls_ && !tls_ && !proxy_tls_ && !plain_) return;
  beast::error_code ignored;
  tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
  tcp().socket().close(ignored);
}

caf::error http_connection::connect_tcp(const std::string& host, uint16_t port,
                                        std::chrono::milliseconds timeout) {
  std::string host_port = join_host_port(host, port);
  // Resolve (names through getaddrinfo on Asio's resolver thread, cancelled at the deadline).
  std::vector<tcp::endpoint> endpoints;
  if (is_ip_literal(host)) {
    endpoints.emplace_back(asio::ip::make_address(host), port);
  } else {
    tcp::resolver resolver(ioc_);
    std::optional<beast::error_code> result;
    resolver.async_resolve(host, std::to_string(port),
                           [&](beast::error_code ec, const tcp::resolver::results_type& r) {
                             result = ec;
                             for (const auto& e : r)
                               endpoints.push_back(e.endpoint());
                           });
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!result && ioc_.run_one_until(deadline) > 0) {
    }
    if (!result) {
      resolver.cancel();
      ioc_.restart();
      while (!result && ioc_.run_one() > 0) {
      }
      return make_error(errc::timeout, "dial tcp: lookup " + host + ": i/o timeout");
    }
    if (*result || endpoints.empty())
      return make_error(errc::unavailable, "dial tcp: lookup " + host + ": " + result->message());
  }
  plain_.emplace(ioc_);
  plain_->expires_after(timeout);
  auto ec = run([&](auto handler) { plain_->async_connect(endpoints, handler); });
  if (ec)
    return transport_failure(ec, "dial tcp " + host_port + ": " + describe_transport_error(ec));
  plain_->socket().set_option(tcp::no_delay(true), ec);
  return {};
}

template <class Stream>
caf::error http_connection::tls_handshake(Stream& stream, const std::string& host, bool verify,
                                          std::chrono::milliseconds timeout) {
  SSL* handle = stream.native_handle();
  if (!is_ip_literal(host)) SSL_set_tlsext_host_name(handle, host.c_str());
  if (verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(handle);
    if (is_ip_literal(host))
      X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    else
      X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
    stream.set_verify_mode(ssl::verify_peer);
  } else {
    stream.set_verify_mode(ssl::verify_none);
  }
  tcp().expires_after(timeout);
  auto ec = run([&](auto handler) { stream.async_handshake(ssl::stream_base::client, handler); });
  if (ec) return transport_failure(ec, describe_handshake_error(ec, handle));
  return {};
}

template <class Stream>
caf::error http_connection::open_tunnel(Stream& stream, const proxy_hop& hop, const url& target,
                                        std::chrono::milliseconds timeout) {
  // The authority with its port always, as Go's CONNECT names it.
  std::string authority = join_host_port(target.host, target.port);
  std::string proxy = hop.proxy.endpoint();
  http::request<http::empty_body> req{http::verb::connect, authority, 11};
  req.set(http::field::host, authority);
  if (!hop.authorization.empty()) req.set(http::field::proxy_authorization, hop.authorization);
  auto failed = [&](const beast::error_code& ec) {
    return transport_failure(ec, "proxyconnect tcp: proxy " + proxy + ": CONNECT " + authority +
                                     ": " + describe_transport_error(ec));
  };
  tcp().expires_after(timeout);
  if (auto ec = run([&](auto h) { http::async_write(stream, req, h); })) return failed(ec);
  // A 2xx answer to CONNECT has no body whatever its headers say: read only the head.
  http::response_parser<http::empty_body> parser;
  parser.header_limit(16 * 1024);
  parser.skip(true);
  tcp().expires_after(timeout);
  if (auto ec = run([&](auto h) { http::async_read_header(stream, buffer_, parser, h); }))
    return failed(ec);
  const auto& head = parser.get();
  if (head.result_int() != 200)
    return make_error(errc::unavailable, "proxyconnect tcp: proxy " + proxy + " refused CONNECT " +
                                             authority + ": " + std::to_string(head.result_int()) +
                                             " " + std::string(head.reason()));
  // The proxy speaks first only to answer; TLS bytes before our ClientHello are not the target's.
  if (buffer_.size() > 0)
    return make_error(errc::unavailable,
                      "proxyconnect tcp: proxy " + proxy + " sent data after its CONNECT answer");
  return {};
}

caf::expected<std::unique_ptr<http_connection>>
http_connection::open(const url& target, const proxy_hop* hop, std::shared_ptr<ssl::context> tls,
                      bool verify, std::chrono::milliseconds connect_timeout,
                      std::chrono::milliseconds io_timeout) {
  std::unique_ptr<http_connection> conn(new http_connection);
  conn->io_timeout_ = io_timeout;
  // Go's prefix for everything that goes wrong on the way to (and through) a proxy.
  auto via_proxy = [](caf::error err) {
    auto message = error_message(err);
    if (!message.starts_with("proxyconnect tcp: ")) message = "proxyconnect tcp: " + message;
    return make_error(error_kind(err).value_or(errc::unavailable), std::move(message));
  };
  if (!hop) {
    if (auto err = conn->connect_tcp(target.host, target.port, connect_timeout)) return err;
  } else {
    if (auto err = conn->connect_tcp(hop->proxy.host, hop->proxy.port, connect_timeout))
      return via_proxy(std::move(err));
    if (hop->tls) {
      conn->proxy_tls_context_ = hop->tls;
      beast::tcp_stream connected = std::move(*conn->plain_);
      conn->plain_.reset();
      conn->proxy_tls_.emplace(std::move(connected), *conn->proxy_tls_context_);
      if (auto err =
              conn->tls_handshake(*conn->proxy_tls_, hop->proxy.host, hop->verify, connect_timeout))
        return via_proxy(std::move(err));
    }
    if (!target.tls()) {
      conn->proxy_authorization_ = hop->authorization;
      return conn;
    }
    auto err = conn->proxy_tls_
                   ? conn->open_tunnel(*conn->proxy_tls_, *hop, target, connect_timeout)
                   : conn->open_tunnel(*conn->plain_, *hop, target, connect_timeout);
    if (err) return err;
  }
  if (!target.tls()) return conn;
  conn->tls_context_ = std::move(tls);
  if (conn->proxy_tls_) {
    proxy_tls_stream tunnel = std::move(*conn->proxy_tls_);
    conn->proxy_tls_.reset();
    conn->tls_in_proxy_tls_.emplace(std::move(tunnel), *conn->tls_context_);
    if (auto err =
            conn->tls_handshake(*conn->tls_in_proxy_tls_, target.host, verify, connect_timeout))
      return err;
  } else {
    beast::tcp_stream connected = std::move(*conn->plain_);
    conn->plain_.reset();
    conn->tls_.emplace(std::move(connected), *conn->tls_context_);
    if (auto err = conn->tls_handshake(*conn->tls_, target.host, verify, connect_timeout))
      return err;
  }
  return conn;
}

beast::error_code http_connection::write_header(request_serializer& sr) {
  tcp().expires_after(io_timeout_);
  return with_stream(
      [&](auto& s) { return run([&](auto h) { http::async_write_header(s, sr, h); }); });
}

beast::error_code http_connection::write_some(request_serializer& sr) {
  tcp().expires_after(io_timeout_);
  return with_stream([&](auto& s) { return run([&](auto h) { http::async_write(s, sr, h); }); });
}

beast::error_code http_connection::read_header(response_parser& p) {
  tcp().expires_after(io_timeout_);
  return with_stream(
      [&](auto& s) { return run([&](auto h) { http::async_read_header(s, buffer_, p, h); }); });
}

beast::error_code http_connection::read_some(response_parser& p) {
  tcp().expires_after(io_timeout_);
  return with_stream(
      [&](auto& s) { return run([&](auto h) { http::async_read(s, buffer_, p, h); }); });
}

bool http_connection::looks_closed() {
  if (buffer_.size() > 0 || !tcp().socket().is_open()) return true;
  pollfd pfd{tcp().socket().native_handle(), POLLIN, 0};
  return ::poll(&pfd, 1, 0) != 0;
}

} // namespace berth::registry::detail
