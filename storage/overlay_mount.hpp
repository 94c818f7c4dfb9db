// Mounting and unmounting overlayfs root filesystems: lower layers (top first), an upper and a
// work directory. Uses the new mount API with "lowerdir+" (no option-length limit on the number
// of layers), falling back to mount(2) on kernels without it.
#pragma once

#include <string>
#include <vector>

#include <caf/error.hpp>

namespace berth::storage {

/// Mounts overlayfs at `target`. `lowers` are ordered top-most first. With an empty `upper` the
/// mount is read-only (lower layers only).
[[nodiscard]] caf::error mount_overlay(const std::vector<std::string>& lowers,
                                       const std::string& upper, const std::string& work,
                                       const std::string& target);

/// Unmounts `target` (lazily if busy); not mounted is not an error.
[[nodiscard]] caf::error unmount(const std::string& target);

/// True when `path` is a mount point.
[[nodiscard]] bool is_mount_point(const std::string& path);

} // namespace berth::storage
