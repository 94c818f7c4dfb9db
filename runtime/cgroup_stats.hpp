// A container's resource counters as its cgroup reports them (cgroup v1 and v2), in the shape
// dockerd builds `docker stats` from (containerd's cgroups library, then dockerd's statsV1 and
// statsV2). Pure parsing over file contents: the caller supplies the files, so every rule here is
// testable with text samples; cgroup_stats_reader reads the real files.
//
// Input: kernel-generated cgroup files (trusted format, read with a size bound); malformed lines
// are skipped, never fatal. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::runtime {

/// One device line of a blkio (v1) or io.stat (v2) file.
struct blkio_entry {
  uint64_t major = 0;
  uint64_t minor = 0;
  std::string op; ///< "Read", "Write", "Sync", ... (v1); "read", "write" (v2)
  uint64_t value = 0;

  bool operator==(const blkio_entry&) const = default;
};

/// Docker's blkio_stats lists; nullopt is rendered as null (no data of that kind), an empty list
/// as [] (the kind exists, no device has data).
struct blkio_lists {
  std::optional<std::vector<blkio_entry>> io_service_bytes_recursive;
  std::optional<std::vector<blkio_entry>> io_serviced_recursive;
  std::optional<std::vector<blkio_entry>> io_queue_recursive;
  std::optional<std::vector<blkio_entry>> io_service_time_recursive;
  std::optional<std::vector<blkio_entry>> io_wait_time_recursive;
  std::optional<std::vector<blkio_entry>> io_merged_recursive;
  std::optional<std::vector<blkio_entry>> io_time_recursive;
  std::optional<std::vector<blkio_entry>> sectors_recursive;
};

/// CPU time of the cgroup, in nanoseconds.
struct cpu_counters {
  uint64_t total_ns = 0;
  uint64_t kernel_ns = 0;
  uint64_t user_ns = 0;
  std::vector<uint64_t> percpu_ns; ///< v1 only (cpuacct.usage_percpu)
  uint64_t throttling_periods = 0;
  uint64_t throttled_periods = 0;
  uint64_t throttled_time_ns = 0;
};

/// Memory of the cgroup in bytes; `stats` holds Docker's fixed key set (v1 or v2 names).
struct memory_counters {
  uint64_t usage = 0;
  uint64_t max_usage = 0; ///< v1 only
  uint64_t limit = 0;     ///< capped at the machine's memory, as dockerd does
  uint64_t failcnt = 0;   ///< v1: memory.failcnt; v2: the "oom" count of memory.events
  std::map<std::string, uint64_t> stats;
};

struct pids_counters {
  uint64_t current = 0;
  uint64_t limit = 0; ///< 0 = no limit on v1; "max" is 2^64-1 on v2 (containerd's reading)
};

struct cgroup_stats {
  cpu_counters cpu; ///< always present (zeros when the files are missing), like containerd
  std::optional<memory_counters> memory;
  std::optional<pids_counters> pids;
  blkio_lists blkio;
};

/// Contents of one file of the container's cgroup, or nullopt when it does not exist.
/// `controller` names the v1 hierarchy ("cpuacct", "cpu", "memory", "pids", "blkio"); a v2
/// reader ignores it.
using cgroup_file_reader =
    std::function<std::optional<std::string>(std::string_view controller, std::string_view file)>;

/// Collects a v1 cgroup's counters (dockerd's statsV1). `machine_memory` caps the memory limit.
[[nodiscard]] cgroup_stats collect_cgroup_v1_stats(const cgroup_file_reader& read,
                                                   uint64_t machine_memory);

/// Collects a v2 cgroup's counters (dockerd's statsV2).
[[nodiscard]] cgroup_stats collect_cgroup_v2_stats(const cgroup_file_reader& read,
                                                   uint64_t machine_memory);

// -- the file parsers ----------------------------------------------------------------------

/// "key value" lines (memory.stat, cpu.stat, cpuacct.stat, memory.events). Negative values read
/// as 0 (containerd's parseUint); lines that are not two fields are skipped.
[[nodiscard]] std::map<std::string, uint64_t> parse_flat_keyed(std::string_view text);

/// A single-value file ("123\n"); "max" reads as `max_value`; negative as 0; else nullopt.
[[nodiscard]] std::optional<uint64_t> parse_single_value(std::string_view text, uint64_t max_value);

/// cpuacct.usage_percpu: space-separated nanoseconds per CPU.
[[nodiscard]] std::vector<uint64_t> parse_percpu_usage(std::string_view text);

/// A v1 blkio file ("8:0 Read 4096" lines, or "8:0 4096"); "Total" lines are skipped.
[[nodiscard]] std::vector<blkio_entry> parse_blkio_v1(std::string_view text);

/// v2 io.stat ("8:0 rbytes=1 wbytes=2 rios=3 ..."): a read and a write entry per device.
[[nodiscard]] std::vector<blkio_entry> parse_io_stat_v2(std::string_view text);

} // namespace berth::runtime
