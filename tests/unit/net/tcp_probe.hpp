// Test helper for net/: proves two namespaces can talk by moving bytes over a real TCP connection.
// Sockets belong to the namespace they were created in, so each is made inside run_in_netns and
// then used from the test's thread. Every wait is bounded.
#pragma once

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <vector>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/ipv4.hpp"
#include "net/netns.hpp"

namespace berth::net::test {

inline sockaddr_in socket_address(ipv4_address address, uint16_t port) {
  sockaddr_in out{};
  out.sin_family = AF_INET;
  out.sin_port = htons(port);
  out.sin_addr.s_addr = htonl(address.value);
  return out;
}

/// Sends `bytes` bytes from a client in `client_pin` to a listener on `server`:`port` in
/// `server_pin`; returns how many arrived before `timeout` (an error when no connection was made).
inline caf::expected<size_t>
tcp_transfer(const std::string& server_pin, ipv4_address server, const std::string& client_pin,
             size_t bytes, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  constexpr uint16_t port = 47011;
  unique_fd listener;
  unique_fd client;
  auto err = run_in_netns(server_pin, [&]() -> caf::error {
    listener.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    auto address = socket_address(server, port);
    int one = 1;
    ::setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener.get(), 1) != 0)
      return make_error(errc::system, std::string{"listen: "} + std::strerror(errno));
    return {};
  });
  if (err) return err;
  err = run_in_netns(client_pin, [&]() -> caf::error {
    client.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    auto address = socket_address(server, port);
    if (::connect(client.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 &&
        errno != EINPROGRESS)
      return make_error(errc::system, std::string{"connect: "} + std::strerror(errno));
    return {};
  });
  if (err) return err;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto remaining_ms = [&] {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<int64_t>(0, left.count()));
  };
  // Accept (the connect completes in the kernel meanwhile).
  pollfd wait_accept{listener.get(), POLLIN, 0};
  if (::poll(&wait_accept, 1, remaining_ms()) != 1)
    return make_error(errc::timeout, "no connection arrived");
  unique_fd server_side{::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK)};
  if (!server_side) return make_error(errc::system, std::string{"accept: "} + std::strerror(errno));
  std::vector<char> chunk(16 * 1024, 'x');
  size_t sent = 0;
  size_t received = 0;
  while (received < bytes && remaining_ms() > 0) {
    pollfd fds[2] = {{client.get(), static_cast<short>(sent < bytes ? POLLOUT : 0), 0},
                     {server_side.get(), POLLIN, 0}};
    if (::poll(fds, 2, remaining_ms()) <= 0) break;
    if (fds[0].revents & POLLOUT) {
      auto n =
          ::send(client.get(), chunk.data(), std::min(chunk.size(), bytes - sent), MSG_NOSIGNAL);
      if (n > 0) sent += static_cast<size_t>(n);
    }
    if (fds[1].revents & POLLIN) {
      auto n = ::recv(server_side.get(), chunk.data(), chunk.size(), 0);
      if (n <= 0) break;
      received += static_cast<size_t>(n);
    }
  }
  return received;
}

} // namespace berth::net::test
