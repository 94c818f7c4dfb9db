// A small blocking HTTP/1.1 client for registries (Boost.Beast over Asio, OpenSSL for https):
// keep-alive connections pooled per endpoint, redirects as Go's client follows them (301, 302 and
// 303 as a GET without the body; Authorization dropped across hosts),
// per-operation timeouts, bodies streamed both ways.
//
// Thread-safety: one client is shared by many threads (parallel layer downloads); each `send`
// runs on the calling thread over a connection it holds alone. Blocking: call it from the
// blocking pool or a dedicated thread, never from an actor's scheduler thread.
// Trust: responses are untrusted; head size, buffered bodies and redirects are bounded.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>

#include <caf/expected.hpp>

#include "registry/http_types.hpp"
#include "registry/tls_settings.hpp"

namespace berth::registry {

class proxy_config;

struct http_client_options {
  /// Bound on resolving and connecting (and the TLS handshake) to one endpoint.
  std::chrono::milliseconds connect_timeout{15'000};
  /// Bound on each read or write making progress: a stalled transfer fails after this long.
  std::chrono::milliseconds io_timeout{60'000};
  /// Redirects followed before giving up (Go's http.Client stops after 10 too).
  int max_redirects = 10;
  /// Largest body read into memory (responses sent without a handler, error bodies). Error
  /// bodies beyond it are truncated; other buffered bodies fail.
  size_t max_buffered_body = 8 * 1024 * 1024;
  /// Largest response head.
  uint32_t max_header_bytes = 64 * 1024;
  /// Idle connections kept per endpoint, and how long they stay in the pool.
  size_t max_idle_per_endpoint = 6;
  std::chrono::milliseconds idle_timeout{30'000};
  std::string user_agent = "berth";
  /// The proxies requests go through (proxy_config.hpp); null: every request goes direct.
  std::shared_ptr<const proxy_config> proxy;
};

/// Decides how https to one host is verified (system CAs, certs.d files, insecure registries).
/// Called once per authority ("host:port" as in the URL) and cached; unset means verify with the
/// system CAs only.
using tls_policy = std::function<caf::expected<tls_settings>(const url& target)>;

class http_client {
 public:
  explicit http_client(http_client_options options = {}, tls_policy policy = {});
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  /// Sends `request` and reads the whole response into memory (at most max_buffered_body).
  /// Transport failures are errors (errc::unavailable, errc::timeout) with Go-like texts, e.g.
  /// `Get "https://h/v2/": dial tcp 127.0.0.1:5000: connect: connection refused`; HTTP error
  /// statuses are responses, not errors.
  [[nodiscard]] caf::expected<http_response> send(const http_request& request,
                                                  std::stop_token stop = {});

  /// Like `send`, but a 2xx body goes to `handler` as it arrives (never buffered whole); the
  /// returned response has an empty body then. A transfer cut short is an error after the
  /// handler saw part of the body.
  [[nodiscard]] caf::expected<http_response>
  send(const http_request& request, const response_handler& handler, std::stop_token stop = {});

  [[nodiscard]] const http_client_options& options() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace berth::registry
