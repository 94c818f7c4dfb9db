// A container's root directory as docker cp sees it: a running container's own view (its
// /proc/<pid>/root, with its volumes and mounts), or for a stopped one its layers and volumes
// mounted in a private mount namespace for the time of one operation. Blocking; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "base/fd.hpp"

namespace berth::storage {

/// Opens the root directory of the running container whose init is `pid`, through
/// /proc/<pid>/root. The result must be the container's root filesystem, mounted on the host at
/// `rootfs` (same device and inode), so a pid reused by another process since is refused
/// (conflict). Paths below the result are resolved with RESOLVE_IN_ROOT, which keeps them inside
/// it even though it is not the daemon's own root.
[[nodiscard]] caf::expected<unique_fd> open_running_root(int pid, const std::string& rootfs);

/// A host directory or file mounted into a stopped container's view.
struct view_bind {
  std::string source;      ///< host path (a volume's directory, a bind's source); trusted
  std::string destination; ///< absolute path in the container
  bool read_only = false;
};

/// What a stopped container's view is made of.
struct stopped_view {
  std::vector<std::string> lowers; ///< image layers, top-most first
  std::string upper;               ///< the container's layer (read-write)
  std::string work;                ///< overlayfs' work directory next to it
  std::vector<view_bind> binds;    ///< mounted in this order (parents before children)
  std::string mountpoint;          ///< an existing directory, used in the private namespace only
};

/// Runs `fn(root_fd)` on a thread of its own that first unshares its mount namespace (made a
/// slave of the daemon's, so nothing propagates back), mounts the overlay at the mountpoint and
/// binds each of `view.binds` at its destination (resolved inside the root; a missing one is
/// created, as a runtime would: a directory, or an empty file for a file source). Everything is
/// unmounted when `fn` returns; if the daemon dies meanwhile the namespace goes with it, so no
/// mount is ever left on the host. Waits for the thread.
[[nodiscard]] caf::error with_stopped_view(const stopped_view& view,
                                           const std::function<caf::error(int root_fd)>& fn);

} // namespace berth::storage
