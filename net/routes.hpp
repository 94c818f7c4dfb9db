// The IPv4 routes of a network namespace, to pick subnets for new networks that overlap nothing.
//
// Blocking (netlink); safe from any thread; acts on the calling thread's network namespace.
#pragma once

#include <vector>

#include <caf/expected.hpp>

#include "base/ipv4.hpp"

namespace berth::net {

/// Returns the destination prefixes of the IPv4 routes in the main table of the calling thread's
/// namespace, canonical (host bits cleared), sorted, without duplicates. Default routes (0.0.0.0/0)
/// are left out, as in Docker's overlap check: every subnet would overlap them.
[[nodiscard]] caf::expected<std::vector<ipv4_cidr>> ipv4_routes();

} // namespace berth::net
