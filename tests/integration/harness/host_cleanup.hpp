// Leaves the host as a test daemon found it: containers it started (they outlive berthd by
// design), their shims, the links, nftables tables and pinned network namespaces its networking
// made, mounts under the test root, and the cgroups under the test's cgroup parent. Everything is
// found through the test's own directories and network prefix, never by process name.
#pragma once

#include <string>

namespace berth::test {

/// Kills every container the runtimes under `<exec_root>/runtime/*` know, and every shim whose
/// pid file is under `<exec_root>/containers/*/shim`.
void kill_containers_and_shims(const std::string& exec_root);

/// Deletes the host links named `<prefix>*` (bridges and host-side veths), the nftables tables
/// `ip <prefix>` and `bridge <prefix>`, and unmounts and removes the namespace pins under
/// `<exec_root>/netns`. Run it after the daemon and the containers are gone (they would recreate
/// or hold them). Does nothing for links or tables when `prefix` is empty.
void remove_network_leftovers(const std::string& prefix, const std::string& exec_root);

/// Unmounts (lazily, deepest first) every mount point at or below `root`.
void unmount_below(const std::string& root);

/// A mount point as /proc/self/mountinfo writes it, unescaped (octal escapes such as \\040).
[[nodiscard]] std::string unescape_mount_path(const std::string& s);

/// Removes the cgroup directories named `parent` (e.g. "/berth-it-abc123") in every mounted
/// cgroup hierarchy, deepest first. Fails quietly on cgroups that still hold processes.
void remove_cgroups(const std::string& parent);

} // namespace berth::test
