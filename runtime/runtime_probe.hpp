// Does an OCI runtime work on this host? Answered by running a real (tiny) container with it,
// because the failures are host-specific: crun 1.8 refuses the hybrid cgroup v1/v2 layout that
// runc accepts, and no version check can tell.
#pragma once

#include <string>

namespace berth::runtime {

struct runtime_probe {
  std::string runtime_path;  ///< runc / crun binary
  std::string static_binary; ///< a static program that prints "berth-shim" for --version
  std::string work_dir;      ///< scratch directory (created and removed)
  std::string cgroup_parent; ///< where the probe container's cgroup goes
};

struct probe_result {
  bool works = false;
  std::string reason; ///< why not (the runtime's message)
};

/// Runs `static_binary --version` in a throwaway container with the runtime (10 s at most) and
/// cleans up after itself. Blocking: for daemon start-up.
[[nodiscard]] probe_result probe_runtime(const runtime_probe& probe);

} // namespace berth::runtime
