// Reading the main IPv4 routing table with libnl.
#include "net/routes.hpp"

#include <algorithm>

#include "base/error.hpp"
#include "net/netlink.hpp"

namespace berth::net {

caf::expected<std::vector<ipv4_cidr>> ipv4_routes() {
  auto sock = nl::connect_route_socket();
  if (!sock) return sock.error();
  auto destinations = nl::main_table_ipv4_destinations(sock->get());
  if (!destinations) return destinations.error();
  std::vector<ipv4_cidr> prefixes;
  for (const auto& destination : *destinations)
    if (destination.prefix > 0) prefixes.push_back(destination.canonical());
  std::sort(prefixes.begin(), prefixes.end(), [](const ipv4_cidr& a, const ipv4_cidr& b) {
    return a.address != b.address ? a.address < b.address : a.prefix < b.prefix;
  });
  prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
  return prefixes;
}

} // namespace berth::net
