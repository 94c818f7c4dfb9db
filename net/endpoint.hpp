// Container endpoints on a bridge: a veth pair with one end on the bridge and the other end
// inside the container's network namespace, addressed and routed (Docker's bridge endpoints).
//
// Blocking (netlink, and a short-lived thread per call that enters the container's namespace).
// Each call opens its own netlink sockets, so calls are safe from any thread. The host end and the
// bridge live in the calling thread's network namespace (the host's, for the daemon).
#pragma once

#include <optional>
#include <string>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "base/ipv4.hpp"
#include "net/link.hpp"
#include "net/mac_address.hpp"

namespace berth::net {

/// One container's attachment to one bridge network.
struct endpoint_settings {
  std::string host_name;       ///< the host end, e.g. "berthv1a2b3c4d" (1..15 characters, unique)
  std::string bridge;          ///< an existing bridge in the caller's namespace
  std::string netns_path;      ///< the container's pinned network namespace (net::create_netns)
  std::string ifname = "eth0"; ///< the container end's name inside the container
  std::string mac;             ///< the container end's MAC; "" = mac_for(address.address)
  int mtu = 1500;              ///< both ends
  ipv4_cidr address;           ///< the container's address, e.g. 172.17.0.2/16
  /// Where the container's default route points; it is added only when set and the container has
  /// no default route yet (the first network a container joins provides it, as in Docker).
  std::optional<ipv4_address> gateway;
};

/// Creates the endpoint: the veth pair in one netlink request (host end enslaved to the bridge and
/// up; container end created directly inside `netns_path` under its final name, with its MAC and
/// MTU), then, inside the container, its address, up, and the default route. All or nothing: when a
/// step fails, the pair is deleted again. A host end or container interface that already exists is
/// errc::conflict; a missing bridge errc::not_found.
[[nodiscard]] caf::error create_endpoint(const endpoint_settings& settings);

/// Deletes the endpoint whose host end is `host_name` (both ends go); missing is not an error.
[[nodiscard]] caf::error remove_endpoint(const std::string& host_name);

/// Deletes the endpoint whose container end is `ifname` in the namespace pinned at `netns_path`
/// (disconnect by container-side name); a missing interface or namespace is not an error.
[[nodiscard]] caf::error remove_endpoint_in(const std::string& netns_path,
                                            const std::string& ifname);

/// Returns the counters of the container end `ifname` in the namespace at `netns_path`, as the
/// container sees them (rx = received by the container).
[[nodiscard]] caf::expected<link_statistics> endpoint_stats(const std::string& netns_path,
                                                            const std::string& ifname);

} // namespace berth::net
