// libnl plumbing shared by net/: sockets, lookups, addresses and error mapping.
#include "net/netlink.hpp"

#include <algorithm>
#include <cstring>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <netlink/errno.h>

#include "base/error.hpp"
#include "net/mac_address.hpp"

namespace berth::net::nl {

caf::expected<socket_ptr> connect_route_socket() {
  socket_ptr sock{nl_socket_alloc()};
  if (!sock) return make_error(errc::system, "netlink: cannot allocate a socket");
  if (int rc = nl_connect(sock.get(), NETLINK_ROUTE); rc < 0) return error("netlink connect", rc);
  return sock;
}

caf::error error(const std::string& what, int nl_err) {
  errc kind = errc::system;
  switch (-nl_err) {
  case NLE_EXIST:
  case NLE_BUSY:
    kind = errc::conflict;
    break;
  case NLE_OBJ_NOTFOUND:
  case NLE_NODEV:
    kind = errc::not_found;
    break;
  case NLE_INVAL:
  case NLE_RANGE:
  case NLE_AF_NOSUPPORT:
    kind = errc::invalid_argument;
    break;
  case NLE_PERM:
  case NLE_NOACCESS:
    kind = errc::forbidden;
    break;
  default:
    break;
  }
  return make_error(kind, what + ": " + nl_geterror(nl_err));
}

bool is_missing(int nl_err) {
  return nl_err == -NLE_OBJ_NOTFOUND || nl_err == -NLE_NODEV;
}

caf::error check_link_name(const std::string& name) {
  bool valid = !name.empty() && name.size() < IFNAMSIZ && name != "." && name != "..";
  for (char c : name)
    if (c == '/' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\0') valid = false;
  if (!valid)
    return make_error(errc::invalid_argument, "invalid network interface name \"" + name +
                                                  "\" (1 to 15 characters, no '/', ':' or spaces)");
  return {};
}

caf::expected<link_ptr> get_link(nl_sock* sock, const std::string& name) {
  if (auto err = check_link_name(name)) return err;
  rtnl_link* link = nullptr;
  if (int rc = rtnl_link_get_kernel(sock, 0, name.c_str(), &link); rc < 0)
    return error("netlink get link " + name, rc);
  return link_ptr{link};
}

nl_addr_ptr make_ipv4(ipv4_address address, int prefix) {
  uint32_t network_order = htonl(address.value);
  nl_addr_ptr out{nl_addr_build(AF_INET, &network_order, sizeof network_order)};
  if (out) nl_addr_set_prefixlen(out.get(), prefix);
  return out;
}

ipv4_cidr to_ipv4_cidr(nl_addr* address) {
  uint32_t network_order = 0;
  if (nl_addr_get_len(address) == sizeof network_order)
    std::memcpy(&network_order, nl_addr_get_binary_addr(address), sizeof network_order);
  return {ipv4_address{ntohl(network_order)}, static_cast<int>(nl_addr_get_prefixlen(address))};
}

caf::expected<nl_addr_ptr> make_mac(const std::string& mac) {
  auto bytes = parse_mac(mac);
  if (!bytes) return make_error(errc::invalid_argument, "invalid MAC address \"" + mac + "\"");
  // The kernel accepts a multicast or all-zero address on creation and only refuses it when the
  // link comes up; say so up front instead.
  bool zero = std::all_of(bytes->begin(), bytes->end(), [](uint8_t b) { return b == 0; });
  if (zero || ((*bytes)[0] & 0x01))
    return make_error(errc::invalid_argument,
                      "invalid MAC address \"" + mac + "\": not a unicast address");
  nl_addr_ptr out{nl_addr_build(AF_LLC, bytes->data(), bytes->size())};
  if (!out) return make_error(errc::system, "netlink: cannot allocate an address");
  return out;
}

std::string mac_of(rtnl_link* link) {
  nl_addr* address = rtnl_link_get_addr(link);
  return address ? format_mac(address) : std::string{};
}

std::string format_mac(nl_addr* address) {
  const auto* bytes = static_cast<const uint8_t*>(nl_addr_get_binary_addr(address));
  return net::format_mac({bytes, nl_addr_get_len(address)});
}

caf::error add_ipv4_address(nl_sock* sock, int ifindex, const ipv4_cidr& cidr,
                            const std::string& link_name) {
  address_ptr address{rtnl_addr_alloc()};
  auto local = make_ipv4(cidr.address, cidr.prefix);
  if (!address || !local) return make_error(errc::system, "netlink: cannot allocate an address");
  rtnl_addr_set_ifindex(address.get(), ifindex);
  rtnl_addr_set_family(address.get(), AF_INET);
  if (int rc = rtnl_addr_set_local(address.get(), local.get()); rc < 0)
    return error("netlink address " + cidr.to_string(), rc);
  rtnl_addr_set_prefixlen(address.get(), cidr.prefix);
  if (cidr.prefix <= 30) {
    auto broadcast = make_ipv4(cidr.broadcast());
    if (!broadcast) return make_error(errc::system, "netlink: cannot allocate an address");
    if (int rc = rtnl_addr_set_broadcast(address.get(), broadcast.get()); rc < 0)
      return error("netlink address " + cidr.to_string(), rc);
  }
  if (int rc = rtnl_addr_add(sock, address.get(), 0); rc < 0)
    return error("netlink add address " + cidr.to_string() + " to " + link_name, rc);
  return {};
}

caf::expected<std::vector<ipv4_cidr>> main_table_ipv4_destinations(nl_sock* sock) {
  nl_cache* raw = nullptr;
  if (int rc = rtnl_route_alloc_cache(sock, AF_INET, 0, &raw); rc < 0)
    return error("netlink list routes", rc);
  cache_ptr cache{raw};
  std::vector<ipv4_cidr> destinations;
  for_each<rtnl_route>(cache.get(), [&](rtnl_route* route) {
    if (rtnl_route_get_table(route) != RT_TABLE_MAIN) return;
    nl_addr* dst = rtnl_route_get_dst(route);
    destinations.push_back(dst ? to_ipv4_cidr(dst) : ipv4_cidr{});
  });
  return destinations;
}

caf::error bring_up(nl_sock* sock, rtnl_link* link, const std::string& name) {
  link_ptr change{rtnl_link_alloc()};
  if (!change) return make_error(errc::system, "netlink: cannot allocate a link");
  rtnl_link_set_flags(change.get(), IFF_UP);
  if (int rc = rtnl_link_change(sock, link, change.get(), 0); rc < 0)
    return error("netlink set " + name + " up", rc);
  return {};
}

} // namespace berth::net::nl
