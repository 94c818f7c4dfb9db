// The host's CPU time as dockerd reports it beside each stats sample (system_cpu_usage,
// online_cpus), from /proc/stat: the CLI's CPU % is the container's share of it.
#pragma once

#include <cstdint>
#include <string_view>

#include <caf/expected.hpp>

namespace berth::runtime {

/// USER_HZ: /proc/stat and cgroup v1's cpuacct.stat count CPU time in these ticks per second
/// (fixed at 100 on Linux whatever the kernel's HZ).
inline constexpr uint64_t clock_ticks_per_second = 100;

struct system_cpu {
  uint64_t usage_ns = 0;    ///< user+nice+system+idle+iowait+irq+softirq of the "cpu" line, in ns
  uint32_t online_cpus = 0; ///< the "cpuN" lines
};

/// Parses /proc/stat text (dockerd's readSystemCPUUsage: clock ticks at 100 Hz).
[[nodiscard]] caf::expected<system_cpu> parse_proc_stat(std::string_view text);

/// Reads /proc/stat. Blocking; thread-safe.
[[nodiscard]] caf::expected<system_cpu> read_system_cpu();

} // namespace berth::runtime
