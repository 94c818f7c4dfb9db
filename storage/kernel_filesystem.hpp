// Kernel filesystems (proc, sysfs, cgroup, ...) inside a running container's root: docker cp
// neither reads nor writes through them (dockerd's view of a container has none of them).
#pragma once

namespace berth::storage {

/// True when the file open at `fd` lives on a kernel filesystem: proc, sysfs, cgroup (v1 and
/// v2), devpts, mqueue, debugfs, tracefs, securityfs, bpf, pstore, efivarfs, configfs, selinuxfs,
/// binfmt_misc, fusectl or nsfs. False when fstatfs fails.
[[nodiscard]] bool on_kernel_filesystem(int fd);

/// True when the file open at `fd` is the root of a mount (statx STATX_ATTR_MOUNT_ROOT).
[[nodiscard]] bool is_mount_root(int fd);

} // namespace berth::storage
