// A tiny HTTP/1.1 server on 127.0.0.1 for the registry client's tests: token servers, redirect
// targets and faults a real registry does not produce (cut bodies, wrong bytes, stalls).
// One thread per connection; stop() (or the destructor) closes everything and joins.
#pragma once

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <netinet/in.h>
#include <set>
#include <string>
#include <strings.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace berth::registry::testing {

struct test_request {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::string header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (k.size() == name.size() && ::strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
    return {};
  }
};

struct test_response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// Send only this many body bytes (with the full Content-Length), then close.
  size_t cut_after = std::string::npos;
  /// Never answer (the client must time out); the connection is closed at stop().
  bool stall = false;
  /// Close the connection after this response (announced with Connection: close).
  bool close = false;
  /// Close the connection after this response without announcing it (a server's idle timeout).
  bool hangup = false;
};

class test_http_server {
 public:
  using handler = std::function<test_response(const test_request&)>;

  explicit test_http_server(handler h) : handler_(std::move(h)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 64);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~test_http_server() { stop(); }

  void stop() {
    if (stopped_.exchange(true)) return;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    acceptor_.join();
    {
      std::lock_guard guard{mutex_};
      for (int fd : open_fds_)
        ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : workers_)
      t.join();
  }

  uint16_t port() const { return port_; }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_.load(); }

  std::vector<test_request> requests() const {
    std::lock_guard guard{mutex_};
    return requests_;
  }

 private:
  void accept_loop() {
    for (;;) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      ++connections_;
      std::lock_guard guard{mutex_};
      if (stopped_) {
        ::close(fd);
        return;
      }
      open_fds_.insert(fd);
      workers_.emplace_back([this, fd] { serve(fd); });
    }
  }

  /// Reads until `buffer` holds `n` bytes; false at EOF.
  static bool fill(int fd, std::string& buffer, size_t n) {
    char chunk[65536];
    while (buffer.size() < n) {
      auto got = ::recv(fd, chunk, sizeof chunk, 0);
      if (got <= 0) return false;
      buffer.append(chunk, static_cast<size_t>(got));
    }
    return true;
  }

  static bool read_until(int fd, std::string& buffer, std::string_view marker, size_t& at) {
    char chunk[65536];
    while ((at = buffer.find(marker)) == std::string::npos) {
      auto got = ::recv(fd, chunk, sizeof chunk, 0);
      if (got <= 0) return false;
      buffer.append(chunk, static_cast<size_t>(got));
    }
    return true;
  }

  static bool read_request(int fd, std::string& buffer, test_request& req) {
    size_t end = 0;
    if (!read_until(fd, buffer, "\r\n\r\n", end)) return false;
    std::string head = buffer.substr(0, end);
    buffer.erase(0, end + 4);
    auto line_end = head.find("\r\n");
    auto first = head.substr(0, line_end);
    auto sp1 = first.find(' ');
    auto sp2 = first.find(' ', sp1 + 1);
    req.method = first.substr(0, sp1);
    req.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      auto next = head.find("\r\n", pos);
      if (next == std::string::npos) next = head.size();
      auto line = head.substr(pos, next - pos);
      auto colon = line.find(':');
      auto value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ')
        value.erase(0, 1);
      req.headers.emplace_back(line.substr(0, colon), value);
      pos = next + 2;
    }
    if (auto length = req.header("Content-Length"); !length.empty()) {
      size_t n = std::stoul(length);
      if (!fill(fd, buffer, n)) return false;
      req.body = buffer.substr(0, n);
      buffer.erase(0, n);
    } else if (req.header("Transfer-Encoding") == "chunked") {
      for (;;) {
        size_t eol = 0;
        if (!read_until(fd, buffer, "\r\n", eol)) return false;
        size_t n = std::stoul(buffer.substr(0, eol), nullptr, 16);
        buffer.erase(0, eol + 2);
        if (!fill(fd, buffer, n + 2)) return false;
        req.body += buffer.substr(0, n);
        buffer.erase(0, n + 2);
        if (n == 0) break;
      }
    }
    return true;
  }

  static bool send_all(int fd, std::string_view data) {
    while (!data.empty()) {
      auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  void serve(int fd) {
    std::string buffer;
    for (;;) {
      test_request req;
      if (!read_request(fd, buffer, req)) break;
      {
        std::lock_guard guard{mutex_};
        requests_.push_back(req);
      }
      auto resp = handler_(req);
      if (resp.stall) {
        char c;
        while (::recv(fd, &c, 1, 0) > 0) {
        }
        break;
      }
      std::string head = "HTTP/1.1 " + std::to_string(resp.status) + " X\r\n";
      bool has_length = false;
      for (const auto& [k, v] : resp.headers) {
        head += k + ": " + v + "\r\n";
        if (::strcasecmp(k.c_str(), "Content-Length") == 0) has_length = true;
      }
      if (!has_length) head += "Content-Length: " + std::to_string(resp.body.size()) + "\r\n";
      if (resp.close) head += "Connection: close\r\n";
      head += "\r\n";
      bool head_only = req.method == "HEAD";
      std::string_view body = head_only ? std::string_view{} : std::string_view{resp.body};
      if (resp.cut_after < body.size()) body = body.substr(0, resp.cut_after);
      if (!send_all(fd, head) || !send_all(fd, body)) break;
      if (resp.close || resp.hangup || resp.cut_after != std::string::npos) break;
    }
    std::lock_guard guard{mutex_};
    open_fds_.erase(fd);
    ::close(fd);
  }

  handler handler_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  mutable std::mutex mutex_;
  std::vector<std::thread> workers_;
  std::set<int> open_fds_;
  std::vector<test_request> requests_;
};

} // namespace berth::registry::testing
