// A small forward HTTP proxy on 127.0.0.1 (kernel-chosen port) for the registry client's proxy
// tests: CONNECT tunnels and absolute-form requests, forwarded only to 127.0.0.1. Names the
// client asks for are "resolved" by the proxy from its own table (so the client never resolves
// them), optionally requires Proxy-Authorization, can refuse CONNECT with a status, and can
// itself speak TLS (an https:// proxy). It records each connection's first request.
// One thread per connection (test_tcp_server); stop() (or the destructor) closes everything and
// joins.
#pragma once

#include <arpa/inet.h>
#include <map>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <set>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "test_http_server.hpp"
#include "test_tcp_server.hpp"

namespace berth::registry::testing {

struct proxy_options {
  /// Host names the proxy forwards, each to 127.0.0.1 (the port is the request's).
  std::set<std::string> names{"127.0.0.1"};
  /// When set, requests without this Proxy-Authorization value get 407.
  std::string required_authorization;
  /// When not 0, every CONNECT is answered with this status.
  int refuse_connect_status = 0;
  /// PEM certificate and key: the proxy speaks TLS to its clients.
  std::string tls_cert, tls_key;
};

class test_proxy {
 public:
  explicit test_proxy(proxy_options options = {}) : options_(std::move(options)) {
    if (!options_.tls_cert.empty()) {
      tls_ = SSL_CTX_new(TLS_server_method());
      SSL_CTX_use_certificate_chain_file(tls_, options_.tls_cert.c_str());
      SSL_CTX_use_PrivateKey_file(tls_, options_.tls_key.c_str(), SSL_FILETYPE_PEM);
    }
    tcp_.start([this](int fd) { serve(fd); });
  }

  ~test_proxy() {
    stop();
    if (tls_) SSL_CTX_free(tls_);
  }

  void stop() { tcp_.stop(); }

  uint16_t port() const { return tcp_.port(); }
  std::string url() const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port());
  }

  /// The first request of each connection, in arrival order.
  std::vector<test_request> requests() const {
    std::lock_guard guard{mutex_};
    return requests_;
  }

 private:
  /// The client's side: plain or TLS.
  struct channel {
    int fd = -1;
    SSL* ssl = nullptr;
    long read(char* buf, size_t n) const {
      if (ssl) return SSL_read(ssl, buf, static_cast<int>(n));
      return ::recv(fd, buf, n, 0);
    }
    bool write(std::string_view data) const {
      while (!data.empty()) {
        long n = ssl ? SSL_write(ssl, data.data(), static_cast<int>(data.size()))
                     : ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n <= 0) return false;
        data.remove_prefix(static_cast<size_t>(n));
      }
      return true;
    }
    bool pending() const { return ssl && SSL_pending(ssl) > 0; }
  };

  static std::string reply(int status, const std::string& reason) {
    return "HTTP/1.1 " + std::to_string(status) + " " + reason +
           "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  }

  /// A connection to 127.0.0.1:`port` registered for stop(), or -1.
  int dial_upstream(uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      return -1;
    }
    tcp_.track(fd);
    return fd;
  }

  /// "host:port" → {host, port}; port 0 when malformed.
  static std::pair<std::string, uint16_t> split(const std::string& authority) {
    auto colon = authority.rfind(':');
    if (colon == std::string::npos) return {authority, 0};
    return {authority.substr(0, colon),
            static_cast<uint16_t>(std::stoi("0" + authority.substr(colon + 1)))};
  }

  /// Copies bytes both ways until either side closes.
  static void relay(const channel& client, int upstream) {
    char buf[65536];
    for (;;) {
      if (client.pending()) {
        auto n = client.read(buf, sizeof buf);
        if (n <= 0 || ::send(upstream, buf, static_cast<size_t>(n), MSG_NOSIGNAL) != n) return;
        continue;
      }
      pollfd p[2] = {{client.fd, POLLIN, 0}, {upstream, POLLIN, 0}};
      if (::poll(p, 2, 10'000) <= 0) return;
      if (p[0].revents) {
        auto n = client.read(buf, sizeof buf);
        if (n <= 0 || ::send(upstream, buf, static_cast<size_t>(n), MSG_NOSIGNAL) != n) return;
      }
      if (p[1].revents) {
        auto n = ::recv(upstream, buf, sizeof buf, 0);
        if (n <= 0 || !client.write({buf, static_cast<size_t>(n)})) return;
      }
    }
  }

  void handle(const channel& client) {
    // The request head, read a byte at a time so that nothing after it is consumed.
    std::string head;
    char c;
    while (head.size() < 16384 && !head.ends_with("\r\n\r\n")) {
      if (client.read(&c, 1) != 1) return;
      head += c;
    }
    std::string_view fields{head};
    if (fields.ends_with("\r\n\r\n")) fields.remove_suffix(4);
    auto req = parse_request_head(fields);
    {
      std::lock_guard guard{mutex_};
      requests_.push_back(req);
    }
    if (!options_.required_authorization.empty() &&
        req.header("Proxy-Authorization") != options_.required_authorization) {
      client.write(reply(407, "Proxy Authentication Required"));
      return;
    }
    bool tunnel = req.method == "CONNECT";
    std::string authority = req.target;
    if (!tunnel) {
      if (!authority.starts_with("http://")) return (void)client.write(reply(400, "Bad Request"));
      authority = authority.substr(7, authority.find('/', 7) - 7);
    }
    if (tunnel && options_.refuse_connect_status != 0)
      return (void)client.write(reply(options_.refuse_connect_status, "Forbidden"));
    auto [host, port] = split(authority);
    if (!tunnel && port == 0) port = 80;
    if (!options_.names.count(host) || port == 0)
      return (void)client.write(reply(502, "Bad Gateway"));
    int upstream = dial_upstream(port);
    if (upstream < 0) return (void)client.write(reply(502, "Bad Gateway"));
    bool ok = true;
    if (tunnel) {
      ok = client.write("HTTP/1.1 200 Connection established\r\n\r\n");
    } else {
      // Forward the head as is: Go's servers (docker-registry) take absolute-form targets.
      ok = ::send(upstream, head.data(), head.size(), MSG_NOSIGNAL) ==
           static_cast<long>(head.size());
    }
    if (ok) relay(client, upstream);
    tcp_.close_tracked(upstream);
  }

  void serve(int fd) {
    channel client{fd, nullptr};
    if (tls_) {
      client.ssl = SSL_new(tls_);
      SSL_set_fd(client.ssl, fd);
      if (SSL_accept(client.ssl) == 1) handle(client);
      SSL_free(client.ssl);
    } else {
      handle(client);
    }
  }

  proxy_options options_;
  SSL_CTX* tls_ = nullptr;
  mutable std::mutex mutex_;
  std::vector<test_request> requests_;
  test_tcp_server tcp_; ///< last: stops (joins the handlers) before the members they use go
};

} // namespace berth::registry::testing
