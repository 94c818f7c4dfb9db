// The local volume driver on disk: one directory per volume under <data-root>/volumes, its data in
// `_data`, and for volumes with options the filesystem mounted over `_data` while containers use
// it (dockerd's layout).
//
// Blocking (filesystem, mount(2)): call from the blocking pool. Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "storage/local_volume.hpp"

namespace berth::storage {

struct volume_paths {
  std::string dir;  ///< <volumes-root>/<name>
  std::string data; ///< <dir>/_data: the Mountpoint
};

[[nodiscard]] volume_paths paths_of_volume(const std::string& volumes_root,
                                           const std::string& name);

/// Makes the volume's directories (0701 and 0755 as dockerd); existing ones are kept.
[[nodiscard]] caf::error create_volume_directory(const volume_paths& paths);

/// Unmounts `_data` if something is mounted there, then removes the volume's directory.
[[nodiscard]] caf::error remove_volume_directory(const volume_paths& paths);

/// Mounts the volume's filesystem over `_data` (nothing when already mounted).
[[nodiscard]] caf::error mount_local_volume(const local_mount& m, const volume_paths& paths);

/// Unmounts `_data` (nothing mounted: no error).
[[nodiscard]] caf::error unmount_local_volume(const volume_paths& paths);

/// Bytes used under `_data` (0 when it cannot be read).
[[nodiscard]] uint64_t volume_size(const volume_paths& paths);

} // namespace berth::storage
