// The kernel side of bridge networks.
#include "actors/bridge_driver.hpp"

#include <mutex>

#include "base/error.hpp"
#include "base/log.hpp"
#include "net/bridge.hpp"
#include "net/endpoint.hpp"
#include "net/link.hpp"
#include "net/network_spec_bridge.hpp"
#include "net/nft_table.hpp"
#include "net/sysctl.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"networks"};

// nft_table reads before it writes: one change at a time per table, and there is one table per
// daemon process.
std::mutex& packet_filter_lock() {
  static std::mutex lock;
  return lock;
}

net::nft_table packet_filter(const daemon_context& ctx) {
  return net::nft_table(ctx.config.network_prefix);
}

// dockerd turns on forwarding when it sets up the bridge driver (unless --ip-forward=false).
void enable_forwarding(const daemon_context& ctx) {
  if (!ctx.config.ip_forward) return;
  static std::once_flag once;
  std::call_once(once, [] {
    if (auto err = net::write_sysctl("net.ipv4.ip_forward", "1"))
      lg.warn("cannot enable IP forwarding", {{"error", error_message(err)}});
  });
}

} // namespace

int network_mtu(const net::network_record& record, const daemon_context& ctx) {
  auto options = net::parse_bridge_options(record.options);
  if (options && options->mtu > 0) return static_cast<int>(options->mtu);
  return ctx.config.mtu > 0 ? ctx.config.mtu : 1500;
}

net::network_rules rules_of(const net::network_record& record,
                            const std::vector<net::ipam_pool>& pools) {
  auto options = net::parse_bridge_options(record.options);
  net::network_rules rules;
  rules.id = record.id;
  rules.bridge = record.bridge_name;
  if (!pools.empty()) rules.subnet = pools.front().subnet();
  rules.masquerade = options ? options->enable_ip_masquerade : true;
  rules.icc = options ? options->enable_icc : true;
  rules.internal = record.internal;
  return rules;
}

caf::error set_up_network(const net::network_record& record,
                          const std::vector<net::ipam_pool>& pools, const daemon_context& ctx) {
  if (record.driver != "bridge") return {};
  net::bridge_settings bridge;
  bridge.name = record.bridge_name;
  bridge.mtu = network_mtu(record, ctx);
  for (const auto& pool : pools)
    if (pool.gateway()) bridge.addresses.push_back({*pool.gateway(), pool.subnet().prefix});
  if (auto err = net::create_bridge(bridge)) return err;
  enable_forwarding(ctx);
  if (!ctx.config.iptables || pools.empty()) return {};
  std::lock_guard lock(packet_filter_lock());
  if (auto err = packet_filter(ctx).add_network(rules_of(record, pools))) {
    (void)net::delete_link(record.bridge_name);
    return err;
  }
  return {};
}

caf::error tear_down_network(const net::network_record& record, const daemon_context& ctx) {
  if (record.driver != "bridge") return {};
  if (ctx.config.iptables) {
    std::lock_guard lock(packet_filter_lock());
    if (auto err = packet_filter(ctx).remove_network(record.id))
      lg.warn("cannot remove a network's rules",
              {{"network", record.id}, {"error", error_message(err)}});
  }
  return net::delete_link(record.bridge_name);
}

caf::error attach_endpoint(const endpoint_info& endpoint, const std::string& netns_path, int mtu,
                           bool default_route) {
  net::endpoint_settings settings;
  settings.host_name = endpoint.host_ifname;
  settings.bridge = endpoint.bridge;
  settings.netns_path = netns_path;
  settings.ifname = endpoint.ifname;
  settings.mac = endpoint.mac;
  settings.mtu = mtu;
  settings.address = endpoint.address;
  if (default_route) settings.gateway = endpoint.gateway;
  return net::create_endpoint(settings);
}

caf::error detach_endpoint(const endpoint_info& endpoint) {
  if (endpoint.host_ifname.empty()) return {};
  return net::remove_endpoint(endpoint.host_ifname);
}

std::vector<net::port_mapping> port_mappings_of(const endpoint_info& endpoint,
                                                const std::vector<net::published_port>& ports) {
  std::vector<net::port_mapping> out;
  for (const auto& p : ports) {
    auto host_ip = ipv4_address::parse(p.host_ip);
    if (!host_ip) continue; // IPv6 host addresses: Berth publishes IPv4 only
    net::port_mapping m;
    m.proto = p.proto == "udp" ? net::ip_protocol::udp : net::ip_protocol::tcp;
    m.host_ip = *host_ip;
    m.host_port = p.host_port;
    m.container_ip = endpoint.address.address;
    m.container_port = p.container_port;
    m.bridge = endpoint.bridge;
    out.push_back(m);
  }
  return out;
}

caf::error add_published_ports(const std::string& owner,
                               const std::vector<net::port_mapping>& mappings,
                               const daemon_context& ctx) {
  if (!ctx.config.iptables || mappings.empty()) return {};
  std::lock_guard lock(packet_filter_lock());
  return packet_filter(ctx).add_port_mappings(owner, mappings);
}

caf::error remove_published_ports(const std::string& owner, const daemon_context& ctx) {
  if (!ctx.config.iptables) return {};
  std::lock_guard lock(packet_filter_lock());
  return packet_filter(ctx).remove_port_mappings(owner);
}

caf::error rebuild_packet_filter(const std::vector<net::network_rules>& networks,
                                 const std::vector<net::owned_port_mappings>& ports,
                                 const daemon_context& ctx) {
  if (!ctx.config.iptables) return {};
  std::lock_guard lock(packet_filter_lock());
  return packet_filter(ctx).rebuild(networks, ports);
}

} // namespace berth::actors
