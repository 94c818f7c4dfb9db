// `docker export`: a container's root filesystem as one tar stream. Blocking; thread-safe (no
// shared state).
#pragma once

#include <caf/error.hpp>

#include "base/byte_sink.hpp"

namespace berth::storage {

/// Writes the tree under the directory `root_fd` (a mounted container root) to `out` as a pax tar:
/// names relative to the root ("bin/", "bin/busybox"), owners, modes, times, symlinks as links,
/// devices, fifos, hard links once. Every entry is opened relative to its parent's descriptor with
/// O_NOFOLLOW, so nothing a symlink in the container points at is read; other filesystems mounted
/// inside are not descended into; sockets are skipped.
[[nodiscard]] caf::error export_rootfs(int root_fd, byte_sink& out);

} // namespace berth::storage
