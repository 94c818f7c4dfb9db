// HTTP/1.1 listeners (Boost.Beast): a unix socket, TCP with mutual TLS, plain TCP (metrics only)
// or systemd-passed sockets. Keep-alive, bounded headers and bodies, chunked streaming, idle
// timeouts, a connection limit, and a graceful stop that lets answers in flight finish.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <caf/error.hpp>

#include "api/dispatcher.hpp"
#include "api/io_pool.hpp"

namespace berth::metrics {
class http_probe;
} // namespace berth::metrics

namespace berth::api {

namespace detail {
struct server_core;
} // namespace detail

struct server_limits {
  size_t header_limit = 64 * 1024;        ///< request line + headers
  size_t body_limit = 16 * 1024 * 1024;   ///< buffered (JSON) bodies
  uint64_t upload_limit = 256ull << 30;   ///< streamed bodies (load, import, build, archive)
  uint64_t drain_limit = 64ull << 20;     ///< body bytes discarded after an early answer
  std::chrono::seconds idle_timeout{300}; ///< keep-alive connection waiting for a request
  std::chrono::seconds write_timeout{60}; ///< a client that does not read its response
  size_t max_connections = 4096;
};

/// TLS material for a TCP listener with client certificate verification.
struct tls_files {
  std::string ca_cert;
  std::string cert;
  std::string key;
};

class http_server {
 public:
  http_server(io_pool& io, std::shared_ptr<const dispatcher> dispatch, server_limits limits,
              metrics::http_probe* probe);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Listens on a unix socket at `path` (mode 0660, group `group` if it exists, else root).
  /// Refuses when another process answers on that socket.
  [[nodiscard]] caf::error listen_unix(const std::string& path, const std::string& group);

  /// Listens on TCP `host:port`; with `tls`, clients must present a certificate signed by the CA.
  [[nodiscard]] caf::error listen_tcp(const std::string& host, const std::string& port,
                                      const tls_files* tls);

  /// Adopts the sockets systemd passed (LISTEN_FDS) for `fd://`.
  [[nodiscard]] caf::error listen_systemd(const tls_files* tls);

  /// Opens every `-H` host: unix://path, tcp://host:port (with TLS), fd://.
  [[nodiscard]] caf::error listen_host(const std::string& uri, const std::string& group,
                                       const tls_files* tls);

  /// The bound TCP port of the first TCP listener (for listeners on port 0).
  [[nodiscard]] int tcp_port() const;

  /// Stops accepting and removes the unix socket files this server created.
  void stop_accepting();

  /// Closes idle connections, ends streamed responses, and lets answers in flight finish.
  void close_connections();

  /// Connections still open.
  [[nodiscard]] size_t connection_count() const;

 private:
  std::shared_ptr<detail::server_core> impl_;
};

} // namespace berth::api
