// Links by name in the calling thread's network namespace: existence, deletion, listing, counters.
//
// Blocking (netlink). Each call opens its own netlink socket, so calls are safe from any thread;
// they act on the network namespace of the calling thread (use run_in_netns for another one).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

namespace berth::net {

/// A link's traffic counters, as the kernel keeps them (what `docker stats` shows as NET I/O).
struct link_statistics {
  uint64_t rx_bytes = 0;
  uint64_t rx_packets = 0;
  uint64_t rx_errors = 0;
  uint64_t rx_dropped = 0;
  uint64_t tx_bytes = 0;
  uint64_t tx_packets = 0;
  uint64_t tx_errors = 0;
  uint64_t tx_dropped = 0;
};

/// Returns whether a link called `name` exists.
[[nodiscard]] caf::expected<bool> link_exists(const std::string& name);

/// Deletes the link `name` (for a veth, both ends go); a missing link is not an error.
[[nodiscard]] caf::error delete_link(const std::string& name);

/// Returns the names of all links whose name starts with `prefix`, sorted (cleanup after a crash).
[[nodiscard]] caf::expected<std::vector<std::string>> links_with_prefix(const std::string& prefix);

/// Returns the counters of the link `name`; a missing link is errc::not_found.
[[nodiscard]] caf::expected<link_statistics> read_link_statistics(const std::string& name);

} // namespace berth::net
