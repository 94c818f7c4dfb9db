// Container endpoints: veth pairs between a bridge and a container's network namespace.
#include "net/endpoint.hpp"

#include <algorithm>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <netlink/route/link/veth.h>
#include <netlink/route/nexthop.h>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/sys.hpp"
#include "net/netlink.hpp"
#include "net/netns.hpp"

namespace berth::net {

namespace {

caf::error check_settings(const endpoint_settings& settings) {
  for (const auto* name : {&settings.host_name, &settings.bridge, &settings.ifname})
    if (auto err = nl::check_link_name(*name)) return err;
  if (settings.mtu < 68 || settings.mtu > 65535)
    return make_error(errc::invalid_argument, "invalid MTU " + std::to_string(settings.mtu));
  if (settings.address.prefix < 1 || settings.address.prefix > 32)
    return make_error(errc::invalid_argument,
                      "invalid endpoint address " + settings.address.to_string());
  if (settings.netns_path.empty())
    return make_error(errc::invalid_argument, "endpoint without a network namespace");
  return {};
}

caf::expected<int> bridge_index(nl_sock* sock, const std::string& name) {
  auto bridge = nl::get_link(sock, name);
  if (!bridge) return bridge.error();
  const char* kind = rtnl_link_get_type(bridge->get());
  if (!kind || std::string_view{kind} != "bridge")
    return make_error(errc::invalid_argument, name + " is not a bridge");
  return rtnl_link_get_ifindex(bridge->get());
}

// One RTM_NEWLINK makes both ends: the kernel creates the peer straight in the container's
// namespace (IFLA_NET_NS_FD inside the peer's attributes), so no temporary name is ever visible
// on the host and nothing needs moving or renaming. The host end is enslaved in the same request.
caf::error add_veth_pair(nl_sock* sock, const endpoint_settings& settings, int bridge_ifindex,
                         int netns_fd, nl_addr* mac) {
  nl::link_ptr host_end{rtnl_link_veth_alloc()};
  if (!host_end) return make_error(errc::system, "netlink: cannot allocate a veth");
  nl::link_ptr container_end{rtnl_link_veth_get_peer(host_end.get())};
  auto mtu = static_cast<unsigned>(settings.mtu);
  rtnl_link_set_name(host_end.get(), settings.host_name.c_str());
  rtnl_link_set_mtu(host_end.get(), mtu);
  rtnl_link_set_master(host_end.get(), bridge_ifindex);
  rtnl_link_set_flags(host_end.get(), IFF_UP);
  rtnl_link_set_name(container_end.get(), settings.ifname.c_str());
  rtnl_link_set_mtu(container_end.get(), mtu);
  rtnl_link_set_addr(container_end.get(), mac);
  rtnl_link_set_ns_fd(container_end.get(), netns_fd);
  // The container end is brought up later, from inside its namespace: asking for IFF_UP on the
  // peer in this request fails with ENOTCONN (seen on Linux 6.18; iproute2's "peer ... up" too).
  if (int rc = rtnl_link_add(sock, host_end.get(), NLM_F_CREATE | NLM_F_EXCL); rc < 0)
    return nl::error("netlink create veth " + settings.host_name + " (container end " +
                         settings.ifname + ")",
                     rc);
  return {};
}

caf::expected<bool> has_default_route(nl_sock* sock) {
  auto destinations = nl::main_table_ipv4_destinations(sock);
  if (!destinations) return destinations.error();
  return std::any_of(destinations->begin(), destinations->end(),
                     [](const ipv4_cidr& destination) { return destination.prefix == 0; });
}

caf::error add_default_route(nl_sock* sock, int ifindex, ipv4_address gateway) {
  nl::route_ptr route{rtnl_route_alloc()};
  auto any = nl::make_ipv4(ipv4_address{}, 0);
  auto via = nl::make_ipv4(gateway);
  rtnl_nexthop* hop = rtnl_route_nh_alloc();
  if (!route || !any || !via || !hop) {
    if (hop) rtnl_route_nh_free(hop);
    return make_error(errc::system, "netlink: cannot allocate a route");
  }
  rtnl_route_set_family(route.get(), AF_INET);
  rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
  rtnl_route_set_scope(route.get(), RT_SCOPE_UNIVERSE);
  rtnl_route_set_protocol(route.get(), RTPROT_BOOT);
  rtnl_route_set_type(route.get(), RTN_UNICAST);
  (void)rtnl_route_set_dst(route.get(), any.get());
  rtnl_route_nh_set_ifindex(hop, ifindex);
  rtnl_route_nh_set_gateway(hop, via.get());
  rtnl_route_add_nexthop(route.get(), hop); // the route owns the hop from here
  if (int rc = rtnl_route_add(sock, route.get(), NLM_F_EXCL); rc < 0)
    return nl::error("netlink add default route via " + gateway.to_string(), rc);
  return {};
}

// Runs inside the container's namespace: the address, up, then the default route where wanted.
caf::error configure_container_end(const endpoint_settings& settings) {
  auto sock = nl::connect_route_socket();
  if (!sock) return sock.error();
  auto link = nl::get_link(sock->get(), settings.ifname);
  if (!link) return link.error();
  int ifindex = rtnl_link_get_ifindex(link->get());
  if (auto err = nl::add_ipv4_address(sock->get(), ifindex, settings.address, settings.ifname))
    return err;
  if (auto err = nl::bring_up(sock->get(), link->get(), settings.ifname)) return err;
  if (!settings.gateway) return {};
  auto has_default = has_default_route(sock->get());
  if (!has_default) return has_default.error();
  if (*has_default) return {};
  return add_default_route(sock->get(), ifindex, *settings.gateway);
}

} // namespace

caf::error create_endpoint(const endpoint_settings& settings) {
  if (auto err = check_settings(settings)) return err;
  auto mac = nl::make_mac(settings.mac.empty() ? mac_for(settings.address.address) : settings.mac);
  if (!mac) return mac.error();
  auto netns = sys::open(settings.netns_path, O_RDONLY);
  if (!netns) return netns.error();
  auto sock = nl::connect_route_socket();
  if (!sock) return sock.error();
  auto bridge = bridge_index(sock->get(), settings.bridge);
  if (!bridge) return bridge.error();
  if (auto err = add_veth_pair(sock->get(), settings, *bridge, netns->get(), mac->get()))
    return err;
  auto err = run_in_netns(settings.netns_path, [&] { return configure_container_end(settings); });
  if (err) (void)delete_link(settings.host_name); // takes the container end with it
  return err;
}

caf::error remove_endpoint(const std::string& host_name) {
  return delete_link(host_name);
}

caf::error remove_endpoint_in(const std::string& netns_path, const std::string& ifname) {
  if (auto err = nl::check_link_name(ifname)) return err;
  if (!sys::exists(netns_path)) return {}; // the namespace is gone, and its links with it
  return run_in_netns(netns_path, [&] { return delete_link(ifname); });
}

caf::expected<link_statistics> endpoint_stats(const std::string& netns_path,
                                              const std::string& ifname) {
  link_statistics stats;
  auto err = run_in_netns(netns_path, [&]() -> caf::error {
    auto read = read_link_statistics(ifname);
    if (!read) return read.error();
    stats = *read;
    return {};
  });
  if (err) return err;
  return stats;
}

} // namespace berth::net
