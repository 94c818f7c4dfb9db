// Reading a container's cgroup counters from the host: where its cgroup is (from the cgroupsPath
// the daemon gave runc, or the process's /proc/<pid>/cgroup for a relative one), and the thin
// file reader under cgroup_stats' parsers.
//
// Blocking (file reads) except the two pure cgroup_location_of_* functions. Thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "runtime/cgroup_stats.hpp"

namespace berth::runtime {

inline constexpr std::string_view cgroup_mount_root = "/sys/fs/cgroup";

/// Where a container's cgroup lives: one directory per v1 controller, or the unified directory.
struct cgroup_location {
  bool unified = false;
  std::string unified_dir;                            ///< v2
  std::map<std::string, std::string> controller_dirs; ///< v1: "memory" → <root>/memory/<path>
};

/// The v1 controllers `docker stats` reads.
[[nodiscard]] const std::vector<std::string>& stats_controllers();

/// An absolute cgroupsPath ("/berth/<id>") placed as runc's cgroupfs driver places it:
/// <root>/<controller>/<path> on v1, <root>/<path> on v2.
[[nodiscard]] cgroup_location cgroup_location_of_path(std::string_view cgroups_path, bool unified,
                                                      std::string_view root = cgroup_mount_root);

/// The location a process's /proc/<pid>/cgroup text names ("4:memory:/a/b", "0::/a/b").
[[nodiscard]] cgroup_location cgroup_location_of_process(std::string_view proc_cgroup, bool unified,
                                                         std::string_view root = cgroup_mount_root);

/// An absolute `cgroups_path` directly; a relative one (runc resolves it against its own cgroup)
/// through /proc/<pid>/cgroup of the container's init.
[[nodiscard]] caf::expected<cgroup_location> locate_cgroup(const std::string& cgroups_path, int pid,
                                                           bool unified);

/// Reads the counters; errc::not_found when the cgroup no longer exists (the container ended).
[[nodiscard]] caf::expected<cgroup_stats> read_cgroup_stats(const cgroup_location& where,
                                                            uint64_t machine_memory);

} // namespace berth::runtime
