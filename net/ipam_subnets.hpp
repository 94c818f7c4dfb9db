// Choosing the subnet of a network created without one: dockerd's predefined local address
// pools (libnetwork/ipamutils), or the daemon's `default-address-pools`, carved into equal
// subnets, and the first one that overlaps no existing network and no host route.
//
// Pure logic, no I/O; thread-safe (no shared state).
#pragma once

#include <vector>

#include <caf/expected.hpp>

#include "base/ipv4.hpp"
#include "config/daemon_config.hpp"

namespace berth::net {

/// A block of addresses to carve into `/size` subnets (ipamutils.NetworkToSplit).
struct predefined_pool {
  ipv4_cidr base;
  int size = 0;
  bool operator==(const predefined_pool&) const = default;
};

/// dockerd's local-scope defaults: 172.17.0.0/16, 172.18.0.0/16, 172.19.0.0/16 and
/// 172.20.0.0/14, 172.24.0.0/14, 172.28.0.0/14 in /16s, then 192.168.0.0/16 in /20s.
[[nodiscard]] std::vector<predefined_pool> default_local_address_pools();

/// The pools to use: `configured` (`default-address-pools`, replacing the defaults entirely)
/// or the defaults when it is empty. Errors as dockerd's allocator reports them at start,
/// e.g. "could not construct local address space: network at index 0 (&{10.0.0.0/24 16}) has
/// a smaller prefix (/24) than the target size of that pool (/16)".
[[nodiscard]] caf::expected<std::vector<predefined_pool>>
local_address_pools(const std::vector<config::address_pool>& configured);

/// Picks the first `/size` subnet, in address order of the pools, that overlaps nothing in
/// `taken` (the subnets of every existing network, the host's on-link routes and nameserver
/// addresses). Pools are sorted by address and pools overlapping an earlier one are dropped,
/// as libnetwork does. Error "all predefined address pools have been fully subnetted"
/// (invalid_argument) when none is left.
[[nodiscard]] caf::expected<ipv4_cidr> pick_subnet(std::vector<predefined_pool> pools,
                                                   const std::vector<ipv4_cidr>& taken);

} // namespace berth::net
