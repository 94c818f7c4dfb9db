// A network namespace's interface counters from /proc/<pid>/net/dev: the counters of the
// namespace the process is in, read without entering it (docker stats' per-interface networks).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "net/link.hpp"

namespace berth::net {

struct interface_statistics {
  std::string name;
  link_statistics counters;
};

/// Parses /proc/net/dev text; the two header lines and malformed lines are skipped. The kernel
/// prints rx "drop" as rx_dropped + rx_missed_errors (the same as rx_dropped on veths).
[[nodiscard]] std::vector<interface_statistics> parse_net_dev(std::string_view text);

/// The interfaces of `pid`'s network namespace. Blocking; thread-safe.
[[nodiscard]] caf::expected<std::vector<interface_statistics>> read_net_dev(int pid);

} // namespace berth::net
