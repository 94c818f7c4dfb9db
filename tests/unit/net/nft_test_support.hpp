// Test support for the nft tests: throwaway namespaces, `ip` commands run inside them, and tiny
// TCP/UDP servers and clients that run in a namespace on their own threads. Everything is removed
// by destructors, so a failing assertion still cleans up.
#pragma once

#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <fcntl.h>
#include <mutex>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/random.hpp"
#include "base/subprocess.hpp"
#include "base/sys.hpp"
#include "net/netns.hpp"

/// Asserts that a caf::error is empty, printing its message otherwise.
#define ASSERT_OK(expr)                                                                            \
  do {                                                                                             \
    auto ok_err_ = (expr);                                                                         \
    ASSERT_FALSE(ok_err_) << #expr << ": " << berth::error_message(ok_err_);                       \
  } while (false)

namespace nft_test {

using namespace std::chrono_literals;

/// Whether the machine can run the namespace tests (root, nft, nsenter, ip).
inline bool can_run() {
  if (::geteuid() != 0) return false;
  for (const char* tool : {"nft", "nsenter", "ip"}) {
    auto r = berth::run_process({"sh", "-c", std::string{"command -v "} + tool}, 5s);
    if (!r || r->exit_code != 0) return false;
  }
  return true;
}

/// A temporary directory for namespace pins, removed with everything in it.
class scratch_dir {
 public:
  scratch_dir() {
    char tmpl[] = "/tmp/berth-nft-test-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~scratch_dir() { (void)berth::sys::remove_all(path_); }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// A pinned network namespace, removed (with every link in it) on destruction.
class netns_pin {
 public:
  explicit netns_pin(std::string path) : path_(std::move(path)) {
    if (auto err = berth::net::create_netns(path_))
      throw std::runtime_error("create_netns " + path_ + ": " + berth::error_message(err));
  }
  ~netns_pin() { (void)berth::net::remove_netns(path_); }
  netns_pin(const netns_pin&) = delete;
  netns_pin& operator=(const netns_pin&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// Runs `script` with sh inside the namespace; returns the output, or throws with it on failure.
inline std::string sh_in(const std::string& netns, const std::string& script) {
  auto r = berth::run_process({"nsenter", "--net=" + netns, "sh", "-ec", script}, 10s);
  if (!r) throw std::runtime_error("nsenter: " + berth::error_message(r.error()));
  if (r->exit_code != 0) throw std::runtime_error("`" + script + "` failed: " + r->output);
  return r->output;
}

/// A short random suffix for link names (IFNAMSIZ leaves little room).
inline std::string suffix() {
  return berth::random_hex(2);
}

/// Creates bridge `name` with address `cidr` (e.g. 10.77.1.1/24) in `host`.
inline void add_bridge(const std::string& host, const std::string& name, const std::string& cidr) {
  sh_in(host, "ip link add " + name + " type bridge && ip addr add " + cidr + " dev " + name +
                  " && ip link set " + name + " up");
}

/// Connects a "container" namespace to `bridge` in `host` with a veth pair: the container end is
/// eth0 with `cidr`, default route via `gateway`.
inline void add_container(const std::string& host, const std::string& container,
                          const std::string& bridge, const std::string& cidr,
                          const std::string& gateway) {
  auto host_end = "vh" + suffix() + suffix();
  auto peer = "vc" + suffix() + suffix();
  sh_in(host, "ip link add " + host_end + " type veth peer name " + peer + " && ip link set " +
                  host_end + " master " + bridge + " up && ip link set " + peer + " netns " +
                  container);
  sh_in(container, "ip link set " + peer + " name eth0 && ip addr add " + cidr +
                       " dev eth0 && ip link set eth0 up && ip route add default via " + gateway);
}

/// Bounded TCP connect from the calling thread; -1 on failure.
inline int connect_within(int type, const std::string& ip, uint16_t port,
                          std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  pollfd p{fd, POLLOUT, 0};
  int err = 0;
  socklen_t len = sizeof err;
  if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1 ||
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

/// Reads one line from `fd` within `timeout`; nullopt on timeout/error.
inline std::optional<std::string> read_line(int fd, std::chrono::milliseconds timeout) {
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) != 1) continue;
    char buf[256];
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return std::nullopt;
    line.append(buf, static_cast<size_t>(n));
    if (auto nl = line.find('\n'); nl != std::string::npos) return line.substr(0, nl);
  }
}

enum class transport { tcp, udp };

/// Asks the server at ip:port, from inside `netns`, who it is: "<server name> <peer address>", or
/// nullopt when no answer came within `timeout`.
inline std::optional<std::string> ask(const std::string& netns, transport t, const std::string& ip,
                                      uint16_t port, std::chrono::milliseconds timeout = 1500ms) {
  std::optional<std::string> answer;
  auto err = berth::net::run_in_netns(netns, [&]() -> caf::error {
    int fd = connect_within(t == transport::tcp ? SOCK_STREAM : SOCK_DGRAM, ip, port, timeout);
    if (fd < 0) return {};
    if (t == transport::udp) (void)::send(fd, "who\n", 4, 0);
    answer = read_line(fd, timeout);
    ::close(fd);
    return {};
  });
  if (err) throw std::runtime_error("run_in_netns: " + berth::error_message(err));
  return answer;
}

/// A TCP and UDP server on `port` inside a namespace: each TCP connection and each UDP datagram
/// gets one line "<name> <peer address>". Runs on its own thread until destroyed.
class whoami_server {
 public:
  whoami_server(std::string netns, std::string name, uint16_t port) : name_(std::move(name)) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
    stop_read_.reset(fds[0]);
    stop_write_.reset(fds[1]);
    thread_ = std::thread([this, netns, port] {
      auto err = berth::net::run_in_netns(netns, [&]() -> caf::error { return serve(port); });
      if (err) report_ready(berth::error_message(err));
    });
    std::unique_lock lock{mutex_};
    if (!ready_cv_.wait_for(lock, 10s, [&] { return ready_; }) || !failure_.empty()) {
      lock.unlock();
      stop();
      throw std::runtime_error("server " + name_ + " did not start: " + failure_);
    }
  }
  ~whoami_server() { stop(); }
  whoami_server(const whoami_server&) = delete;
  whoami_server& operator=(const whoami_server&) = delete;

 private:
  void stop() {
    if (stop_write_) (void)::write(stop_write_.get(), "x", 1);
    if (thread_.joinable()) thread_.join();
  }

  void report_ready(std::string failure) {
    std::lock_guard lock{mutex_};
    ready_ = true;
    failure_ = std::move(failure);
    ready_cv_.notify_all();
  }

  static berth::unique_fd bound(int type, uint16_t port) {
    berth::unique_fd fd{::socket(AF_INET, type | SOCK_CLOEXEC, 0)};
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return {};
    if (type == SOCK_STREAM && ::listen(fd.get(), 16) != 0) return {};
    return fd;
  }

  std::string reply_to(const sockaddr_in& peer) const {
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
    return name_ + " " + text + "\n";
  }

  caf::error serve(uint16_t port) {
    auto tcp = bound(SOCK_STREAM, port);
    auto udp = bound(SOCK_DGRAM, port);
    if (!tcp || !udp) {
      report_ready("bind failed");
      return {};
    }
    report_ready({});
    for (;;) {
      pollfd fds[3] = {
          {stop_read_.get(), POLLIN, 0}, {tcp.get(), POLLIN, 0}, {udp.get(), POLLIN, 0}};
      if (::poll(fds, 3, 1000) <= 0) continue; // the stop pipe ends the loop
      if (fds[0].revents != 0) return {};
      sockaddr_in peer{};
      socklen_t len = sizeof peer;
      if (fds[1].revents != 0) {
        berth::unique_fd conn{
            ::accept4(tcp.get(), reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC)};
        if (conn) {
          auto line = reply_to(peer);
          (void)::send(conn.get(), line.data(), line.size(), MSG_NOSIGNAL);
        }
      }
      if (fds[2].revents != 0) {
        char buf[64];
        len = sizeof peer;
        if (::recvfrom(udp.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&peer), &len) >=
            0) {
          auto line = reply_to(peer);
          (void)::sendto(udp.get(), line.data(), line.size(), 0, reinterpret_cast<sockaddr*>(&peer),
                         len);
        }
      }
    }
  }

  std::string name_;
  berth::unique_fd stop_read_;
  berth::unique_fd stop_write_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable ready_cv_;
  bool ready_ = false;
  std::string failure_;
};

} // namespace nft_test
