// Creating and reconciling Linux bridges with libnl.
#include "net/bridge.hpp"

#include <algorithm>
#include <linux/if.h>
#include <sys/socket.h>

#include <netlink/route/link/bridge.h>

#include "base/error.hpp"
#include "net/mac_address.hpp"
#include "net/netlink.hpp"

namespace berth::net {

namespace {

caf::error check_settings(const bridge_settings& settings) {
  if (auto err = nl::check_link_name(settings.name)) return err;
  if (settings.mtu != 0 && (settings.mtu < 68 || settings.mtu > 65535))
    return make_error(errc::invalid_argument,
                      "invalid MTU " + std::to_string(settings.mtu) + " for " + settings.name);
  for (const auto& cidr : settings.addresses)
    if (cidr.prefix < 0 || cidr.prefix > 32)
      return make_error(errc::invalid_argument, "invalid address " + cidr.to_string());
  return {};
}

caf::error add_bridge(nl_sock* sock, const bridge_settings& settings, nl_addr* mac) {
  nl::link_ptr bridge{rtnl_link_bridge_alloc()};
  if (!bridge) return make_error(errc::system, "netlink: cannot allocate a bridge");
  rtnl_link_set_name(bridge.get(), settings.name.c_str());
  rtnl_link_set_addr(bridge.get(), mac);
  if (settings.mtu != 0) rtnl_link_set_mtu(bridge.get(), static_cast<unsigned>(settings.mtu));
  if (int rc = rtnl_link_add(sock, bridge.get(), NLM_F_CREATE | NLM_F_EXCL); rc < 0)
    return nl::error("netlink create bridge " + settings.name, rc);
  return {};
}

caf::error check_is_bridge(rtnl_link* link, const std::string& name) {
  const char* kind = rtnl_link_get_type(link);
  if (kind && std::string_view{kind} == "bridge") return {};
  return make_error(errc::conflict, "cannot use " + name + " as a bridge: it is a " +
                                        (kind ? std::string{kind} : std::string{"device"}) +
                                        " link");
}

// Sets the MAC and the MTU where they differ (one request, nothing sent when both match).
caf::error set_mac_and_mtu(nl_sock* sock, rtnl_link* link, const bridge_settings& settings,
                           const std::string& mac_text, nl_addr* mac) {
  nl::link_ptr change{rtnl_link_alloc()};
  if (!change) return make_error(errc::system, "netlink: cannot allocate a link");
  bool changed = false;
  if (nl::mac_of(link) != mac_text) {
    rtnl_link_set_addr(change.get(), mac);
    changed = true;
  }
  if (settings.mtu != 0 && rtnl_link_get_mtu(link) != static_cast<unsigned>(settings.mtu)) {
    rtnl_link_set_mtu(change.get(), static_cast<unsigned>(settings.mtu));
    changed = true;
  }
  if (!changed) return {};
  if (int rc = rtnl_link_change(sock, link, change.get(), 0); rc < 0)
    return nl::error("netlink set MAC/MTU of " + settings.name, rc);
  return {};
}

// Makes the link's IPv4 addresses exactly `wanted`: stale ones go first (a changed prefix length
// counts as stale), then missing ones are added.
caf::error reconcile_addresses(nl_sock* sock, int ifindex, const std::string& name,
                               const std::vector<ipv4_cidr>& wanted) {
  nl_cache* raw = nullptr;
  if (int rc = rtnl_addr_alloc_cache(sock, &raw); rc < 0)
    return nl::error("netlink list addresses", rc);
  nl::cache_ptr cache{raw};
  std::vector<ipv4_cidr> present;
  std::vector<rtnl_addr*> stale; // owned by the cache
  nl::for_each<rtnl_addr>(cache.get(), [&](rtnl_addr* address) {
    if (rtnl_addr_get_ifindex(address) != ifindex || rtnl_addr_get_family(address) != AF_INET)
      return;
    auto cidr = nl::to_ipv4_cidr(rtnl_addr_get_local(address));
    if (std::find(wanted.begin(), wanted.end(), cidr) != wanted.end())
      present.push_back(cidr);
    else
      stale.push_back(address);
  });
  for (auto* address : stale) {
    auto cidr = nl::to_ipv4_cidr(rtnl_addr_get_local(address));
    if (int rc = rtnl_addr_delete(sock, address, 0); rc < 0 && !nl::is_missing(rc))
      return nl::error("netlink remove address " + cidr.to_string() + " from " + name, rc);
  }
  for (const auto& cidr : wanted) {
    if (std::find(present.begin(), present.end(), cidr) != present.end()) continue;
    if (auto err = nl::add_ipv4_address(sock, ifindex, cidr, name)) return err;
    present.push_back(cidr); // a repeated entry in `wanted` is added once
  }
  return {};
}

caf::error reconcile(nl_sock* sock, const bridge_settings& settings, const std::string& mac_text,
                     nl_addr* mac) {
  auto link = nl::get_link(sock, settings.name);
  if (!link) return link.error();
  if (auto err = check_is_bridge(link->get(), settings.name)) return err;
  if (auto err = set_mac_and_mtu(sock, link->get(), settings, mac_text, mac)) return err;
  int ifindex = rtnl_link_get_ifindex(link->get());
  if (auto err = reconcile_addresses(sock, ifindex, settings.name, settings.addresses)) return err;
  if (rtnl_link_get_flags(link->get()) & IFF_UP) return {};
  return nl::bring_up(sock, link->get(), settings.name);
}

} // namespace

caf::error create_bridge(const bridge_settings& settings) {
  if (auto err = check_settings(settings)) return err;
  auto mac = nl::make_mac(settings.mac.empty() ? stable_mac_for_name(settings.name) : settings.mac);
  if (!mac) return mac.error();
  auto mac_text = nl::format_mac(mac->get()); // normalized, to compare with the kernel's
  auto sock = nl::connect_route_socket();
  if (!sock) return sock.error();
  bool created = false;
  auto existing = nl::get_link(sock->get(), settings.name);
  if (!existing) {
    if (error_kind(existing.error()) != errc::not_found) return existing.error();
    auto err = add_bridge(sock->get(), settings, mac->get());
    // Lost a race with another creator: fall through and reconcile what it made.
    if (err && error_kind(err) != errc::conflict) return err;
    created = !err;
  }
  auto err = reconcile(sock->get(), settings, mac_text, mac->get());
  if (err && created) (void)delete_link(settings.name);
  return err;
}

} // namespace berth::net
