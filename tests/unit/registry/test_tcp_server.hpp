// A TCP server on 127.0.0.1 with a port the kernel picks, under the registry client's test servers
// (test_http_server, test_proxy): one thread per accepted connection runs the owner's handler.
// stop() (or the destructor) shuts down the listener, every connection and every descriptor the
// handlers registered, and joins all threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <netinet/in.h>
#include <set>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace berth::registry::testing {

class test_tcp_server {
 public:
  /// Serves one accepted connection; the server closes `fd` when it returns.
  using connection_handler = std::function<void(int fd)>;

  /// Listens at once (so the port is known); accepts nothing before start().
  test_tcp_server() {
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
  }

  ~test_tcp_server() { stop(); }
  test_tcp_server(const test_tcp_server&) = delete;
  test_tcp_server& operator=(const test_tcp_server&) = delete;

  /// Accepts connections from now on, each served by `serve` on a thread of its own.
  void start(connection_handler serve) {
    serve_ = std::move(serve);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  void stop() {
    if (stopped_.exchange(true)) return;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    if (acceptor_.joinable()) acceptor_.join();
    {
      std::lock_guard guard{mutex_};
      for (int fd : open_fds_)
        ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : workers_)
      t.join();
  }

  uint16_t port() const { return port_; }

  /// Connections accepted so far.
  int connections() const { return connections_.load(); }

  /// Registers a descriptor a handler opened (a connection upstream) so that stop() shuts it
  /// down too.
  void track(int fd) {
    std::lock_guard guard{mutex_};
    open_fds_.insert(fd);
  }

  /// Closes a descriptor registered with track(), or an accepted one.
  void close_tracked(int fd) {
    std::lock_guard guard{mutex_};
    open_fds_.erase(fd);
    ::close(fd);
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
      workers_.emplace_back([this, fd] {
        serve_(fd);
        close_tracked(fd);
      });
    }
  }

  connection_handler serve_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> workers_;
  std::set<int> open_fds_;
};

} // namespace berth::registry::testing
