// Listening sockets for the embedded DNS server, made inside a container's network namespace.
#include "net/dns_sockets.hpp"

#include <cerrno>
#include <netinet/in.h>
#include <sys/socket.h>

#include "base/error.hpp"
#include "base/ipv4.hpp"
#include "base/sys.hpp"
#include "net/netns.hpp"

namespace berth::net {

namespace {

// Pending TCP connections the kernel queues for the server (DNS over TCP is rare).
constexpr int tcp_backlog = 64;

caf::expected<unique_fd> bound_socket(int type, const sockaddr_in& where, std::string_view label) {
  unique_fd fd(::socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return sys::error_from_errno("socket", label, errno);
  int on = 1;
  if (type == SOCK_STREAM && ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0)
    return sys::error_from_errno("setsockopt SO_REUSEADDR", label, errno);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&where), sizeof where) != 0)
    return sys::error_from_errno("bind", label, errno);
  if (type == SOCK_STREAM && ::listen(fd.get(), tcp_backlog) != 0)
    return sys::error_from_errno("listen", label, errno);
  return fd;
}

} // namespace

caf::expected<dns_sockets> bind_dns_sockets_here(std::string_view address, uint16_t port) {
  auto ip = ipv4_address::parse(address);
  if (!ip)
    return make_error(errc::invalid_argument,
                      "invalid DNS listen address: " + std::string(address));
  sockaddr_in where{};
  where.sin_family = AF_INET;
  where.sin_port = htons(port);
  where.sin_addr.s_addr = htonl(ip->value);
  auto label = std::string(address) + ":" + std::to_string(port);
  auto udp = bound_socket(SOCK_DGRAM, where, "udp " + label);
  if (!udp) return udp.error();
  auto tcp = bound_socket(SOCK_STREAM, where, "tcp " + label);
  if (!tcp) return tcp.error();
  return dns_sockets{std::move(*udp), std::move(*tcp)};
}

caf::expected<dns_sockets> bind_dns_sockets(const std::string& netns_path, std::string_view address,
                                            uint16_t port) {
  caf::expected<dns_sockets> result{dns_sockets{}};
  auto err = run_in_netns(netns_path, [&]() -> caf::error {
    result = bind_dns_sockets_here(address, port);
    return result ? caf::error{} : result.error();
  });
  if (err) return err;
  return result;
}

} // namespace berth::net
