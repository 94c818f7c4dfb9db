// Docker's copy-up: an empty volume mounted where the image has files gets a copy of them (with
// their ownership, modes, times and symlinks) the first time a container uses it.
//
// The image side is untrusted: `container_path` is resolved inside `rootfs` with openat2
// RESOLVE_IN_ROOT (a symlink in the image cannot lead to the host), and the walk below it never
// follows symlinks (every step is *at() with O_NOFOLLOW). Blocking; thread-safe.
#pragma once

#include <string>

#include <caf/error.hpp>

namespace berth::storage {

/// Copies the contents of `container_path` (a directory inside `rootfs`) into `volume_data`
/// when `volume_data` is empty; also gives `volume_data` the directory's owner and mode. Nothing
/// to copy (missing path, not a directory, volume not empty) is not an error. Deeper than 256
/// levels is refused.
[[nodiscard]] caf::error copy_up(const std::string& rootfs, const std::string& container_path,
                                 const std::string& volume_data);

/// dockerd refuses a volume over a file of the image: "cannot mount volume over existing file,
/// file exists <rootfs>/<path>" (invalid_argument). `container_path` is resolved like copy_up.
[[nodiscard]] caf::error check_volume_target(const std::string& rootfs,
                                             const std::string& container_path);

} // namespace berth::storage
