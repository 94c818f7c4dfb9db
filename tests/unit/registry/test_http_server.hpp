// A tiny HTTP/1.1 server on 127.0.0.1 for the registry client's tests: token servers, redirect
// targets and faults a real registry does not produce (cut bodies, wrong bytes, stalls).
// One thread per connection (test_tcp_server); stop() (or the destructor) closes everything and
// joins.
#pragma once

#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <strings.h>
#include <sys/socket.h>
#include <vector>

#include "test_tcp_server.hpp"

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

/// The request line and header fields of `head` (what precedes the blank line).
inline test_request parse_request_head(std::string_view head) {
  test_request req;
  auto line_end = head.find("\r\n");
  auto first = head.substr(0, line_end);
  auto sp1 = first.find(' ');
  auto sp2 = first.find(' ', sp1 + 1);
  req.method = std::string(first.substr(0, sp1));
  req.target = std::string(first.substr(sp1 + 1, sp2 - sp1 - 1));
  size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    auto next = head.find("\r\n", pos);
    if (next == std::string_view::npos) next = head.size();
    auto line = head.substr(pos, next - pos);
    auto colon = line.find(':');
    auto value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ')
      value.remove_prefix(1);
    req.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    pos = next + 2;
  }
  return req;
}

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
    tcp_.start([this](int fd) { serve(fd); });
  }

  ~test_http_server() { stop(); }

  void stop() { tcp_.stop(); }

  uint16_t port() const { return tcp_.port(); }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port()); }
  int connections() const { return tcp_.connections(); }

  std::vector<test_request> requests() const {
    std::lock_guard guard{mutex_};
    return requests_;
  }

 private:
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
    req = parse_request_head(std::string_view{buffer}.substr(0, end));
    buffer.erase(0, end + 4);
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
  }

  handler handler_;
  mutable std::mutex mutex_;
  std::vector<test_request> requests_;
  test_tcp_server tcp_; ///< last: stops (joins the handlers) before the members they use go
};

} // namespace berth::registry::testing
