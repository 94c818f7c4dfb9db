// Facts about the host that /info, /version and engine_daemon_engine_info report: kernel, OS,
// CPUs, memory, cgroup layout and the capabilities the kernel offers to containers.
#pragma once

#include <cstdint>
#include <string>

namespace berth::runtime {

struct host_info {
  std::string hostname;
  std::string kernel_version;   ///< uname -r
  std::string operating_system; ///< PRETTY_NAME from os-release
  std::string os_version;       ///< VERSION_ID from os-release
  std::string architecture;     ///< uname -m, e.g. "x86_64"
  std::string go_arch;          ///< Go's name for it, e.g. "amd64" (/version uses it)
  int ncpu = 1;
  int64_t mem_total = 0;
  std::string cgroup_version; ///< "1" (v1 or hybrid) or "2" (unified)
  std::string cgroup_driver = "cgroupfs";
  bool memory_limit = false;
  bool swap_limit = false;
  bool cpu_cfs_period = false;
  bool cpu_cfs_quota = false;
  bool cpu_shares = false;
  bool cpuset = false;
  bool pids_limit = false;
  bool oom_kill_disable = false;
  bool ipv4_forwarding = false;
  bool bridge_nf_iptables = false;
  bool bridge_nf_ip6tables = false;
  std::string backing_filesystem; ///< of the data root: "extfs", "xfs", "btrfs", "tmpfs", ...
  bool supports_d_type = true;
};

/// Reads the host's facts; `data_root` is used for the backing filesystem.
[[nodiscard]] host_info probe_host(const std::string& data_root);

} // namespace berth::runtime
