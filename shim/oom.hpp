// Detecting that the kernel's OOM killer hit a container, from its memory cgroup's counters.
#pragma once

#include <string>
#include <sys/types.h>

namespace berth::shim {

/// The file holding the container's OOM-kill counter: memory.oom_control of its cgroup v1
/// memory cgroup, or memory.events on a cgroup v2 host. Found from /proc/<pid>/cgroup and the
/// mounts (call while the process lives); falls back to config.json's linux.cgroupsPath under
/// the memory mount. Empty when nothing is found.
[[nodiscard]] std::string find_oom_counter(pid_t pid, const std::string& bundle);

/// True when the counter file reports at least one OOM kill ("oom_kill N" with N > 0).
[[nodiscard]] bool oom_killed(const std::string& counter_file);

} // namespace berth::shim
