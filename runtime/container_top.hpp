// `docker top`: the host's `ps` output narrowed to a container's processes (those in its cgroup),
// as dockerd does it. `parse_ps_output` is pure; the others are blocking (they read /proc and
// /sys, run ps) and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

namespace berth::runtime {

struct top_result {
  std::vector<std::string> titles;                 ///< the header's columns
  std::vector<std::vector<std::string>> processes; ///< one row per container process
};

/// Keeps the rows of `ps` output whose PID column is one of `pids`. The last column takes the
/// rest of the line (a command with spaces). Errors with dockerd's messages: no PID column
/// ("Couldn't find PID field in ps output"), a PID that is not a number ("Unexpected pid ...").
[[nodiscard]] caf::expected<top_result> parse_ps_output(std::string_view output,
                                                        const std::vector<int>& pids);

/// The processes in the cgroup of `init_pid` (a container's init): its pids controller directory
/// on cgroup v1 (else memory), the unified one on v2.
[[nodiscard]] caf::expected<std::vector<int>> cgroup_pids_of(int init_pid);

/// Runs `ps <ps_args>` (default "-ef", split at spaces like dockerd) and keeps `pids`' rows.
/// A failing ps is "Error running ps: ..." (errc::system).
[[nodiscard]] caf::expected<top_result> run_top(const std::string& ps_args,
                                                const std::vector<int>& pids);

} // namespace berth::runtime
