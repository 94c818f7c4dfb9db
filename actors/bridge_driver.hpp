// The kernel side of a bridge network, as the network actors and the networks manager ask for it:
// the bridge device with its gateway addresses, the network's nftables rules, the endpoints'
// veth pairs and the published ports. Built on net/ (libnl, nft).
//
// Blocking: call from the blocking pool. Thread-safe: changes to the daemon's nftables table are
// serialized inside (one table per daemon process).
#pragma once

#include <string>
#include <vector>

#include <caf/error.hpp>

#include "actors/daemon_context.hpp"
#include "actors/network_endpoint.hpp"
#include "net/ipam.hpp"
#include "net/network_spec_record.hpp"
#include "net/nft_rules.hpp"
#include "net/port_spec.hpp"

namespace berth::actors {

/// The MTU of a network: its com.docker.network.driver.mtu option, else the daemon's --mtu.
[[nodiscard]] int network_mtu(const net::network_record& record, const daemon_context& ctx);

/// Creates (or reconciles) the bridge with the pools' gateways and installs the network's rules.
/// Drivers other than bridge have nothing in the kernel.
[[nodiscard]] caf::error set_up_network(const net::network_record& record,
                                        const std::vector<net::ipam_pool>& pools,
                                        const daemon_context& ctx);

/// Removes the network's rules and its bridge (missing ones are fine).
[[nodiscard]] caf::error tear_down_network(const net::network_record& record,
                                           const daemon_context& ctx);

/// Makes the endpoint's veth pair: host end on the bridge, container end in `netns_path`.
[[nodiscard]] caf::error attach_endpoint(const endpoint_info& endpoint,
                                         const std::string& netns_path, int mtu,
                                         bool default_route);

/// Deletes the endpoint's veth pair (both ends; a missing one is fine).
[[nodiscard]] caf::error detach_endpoint(const endpoint_info& endpoint);

/// The nft rules of a bridge network.
[[nodiscard]] net::network_rules rules_of(const net::network_record& record,
                                          const std::vector<net::ipam_pool>& pools);

/// The nft mappings for a container's published ports on `endpoint`.
[[nodiscard]] std::vector<net::port_mapping>
port_mappings_of(const endpoint_info& endpoint, const std::vector<net::published_port>& ports);

/// Installs a container's published ports in the daemon's table (all or none).
[[nodiscard]] caf::error add_published_ports(const std::string& owner,
                                             const std::vector<net::port_mapping>& mappings,
                                             const daemon_context& ctx);

/// Removes a container's published ports.
[[nodiscard]] caf::error remove_published_ports(const std::string& owner,
                                                const daemon_context& ctx);

/// Replaces the daemon's table with exactly these networks and ports (daemon start).
[[nodiscard]] caf::error rebuild_packet_filter(const std::vector<net::network_rules>& networks,
                                               const std::vector<net::owned_port_mappings>& ports,
                                               const daemon_context& ctx);

} // namespace berth::actors
