// Internal to net/: RAII owners of libnl objects, the route socket, and libnl errors as Berth
// errors.
//
// A netlink socket talks to the network namespace of the thread that created it, for its whole
// life; every function here that takes no socket acts on the calling thread's namespace.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>

#include "base/ipv4.hpp"

namespace berth::net::nl {

/// Calls libnl's release function `Release` on a non-null object.
template <auto Release>
struct releaser {
  template <class T>
  void operator()(T* object) const noexcept {
    Release(object);
  }
};

using socket_ptr = std::unique_ptr<nl_sock, releaser<nl_socket_free>>;
using link_ptr = std::unique_ptr<rtnl_link, releaser<rtnl_link_put>>;
using address_ptr = std::unique_ptr<rtnl_addr, releaser<rtnl_addr_put>>;
using route_ptr = std::unique_ptr<rtnl_route, releaser<rtnl_route_put>>;
using nl_addr_ptr = std::unique_ptr<nl_addr, releaser<nl_addr_put>>;
using cache_ptr = std::unique_ptr<nl_cache, releaser<nl_cache_free>>;

/// Opens a NETLINK_ROUTE socket in the calling thread's network namespace.
[[nodiscard]] caf::expected<socket_ptr> connect_route_socket();

/// Turns a (negative) libnl error code into a Berth error "<what>: <libnl message>": an existing
/// object is a conflict, a missing one not_found, a bad value invalid_argument.
[[nodiscard]] caf::error error(const std::string& what, int nl_err);

/// Returns whether a libnl error code means "no such link/address/route".
[[nodiscard]] bool is_missing(int nl_err);

/// Checks a network interface name the way the kernel does (1..15 bytes, no '/', ':' or
/// whitespace, not "." or "..").
[[nodiscard]] caf::error check_link_name(const std::string& name);

/// Looks a link up by name; a missing link is errc::not_found.
[[nodiscard]] caf::expected<link_ptr> get_link(nl_sock* sock, const std::string& name);

/// Makes a libnl address (AF_INET) for `address`/`prefix`.
[[nodiscard]] nl_addr_ptr make_ipv4(ipv4_address address, int prefix = 32);

/// Reads a libnl AF_INET address back (its prefix length included).
[[nodiscard]] ipv4_cidr to_ipv4_cidr(nl_addr* address);

/// Makes a libnl link-layer address from "aa:bb:cc:dd:ee:ff"; invalid_argument when malformed
/// or not a unicast address.
[[nodiscard]] caf::expected<nl_addr_ptr> make_mac(const std::string& mac);

/// Formats a link-layer address as "aa:bb:cc:dd:ee:ff".
[[nodiscard]] std::string format_mac(nl_addr* mac);

/// Formats a link's hardware address as "aa:bb:cc:dd:ee:ff" ("" when it has none).
[[nodiscard]] std::string mac_of(rtnl_link* link);

/// Adds `cidr` to the link `ifindex`, with the broadcast address set for prefixes up to /30
/// (what iproute2's `brd +` and Docker do).
[[nodiscard]] caf::error add_ipv4_address(nl_sock* sock, int ifindex, const ipv4_cidr& cidr,
                                          const std::string& link_name);

/// Calls `fn(object)` for each object of a libnl cache, `T` being the cache's object type.
template <class T, class Fn>
void for_each(nl_cache* cache, Fn&& fn) {
  for (nl_object* object = nl_cache_get_first(cache); object; object = nl_cache_get_next(object))
    fn(reinterpret_cast<T*>(object));
}

/// Returns the destination of every IPv4 route in the main table, as the kernel has it (the
/// default route as 0.0.0.0/0).
[[nodiscard]] caf::expected<std::vector<ipv4_cidr>> main_table_ipv4_destinations(nl_sock* sock);

/// Sets IFF_UP on `link` (a link fetched with get_link).
[[nodiscard]] caf::error bring_up(nl_sock* sock, rtnl_link* link, const std::string& name);

} // namespace berth::net::nl
