// Paths inside a container's root directory, resolved through descriptors: symlinks are followed
// as the container would see them (openat2 RESOLVE_IN_ROOT, so "/" and ".." stop at the root and
// nothing leads into the host). Blocking; thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <linux/openat2.h>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "base/fd.hpp"

namespace berth::storage {

/// How paths in a container are resolved: inside the root, never through /proc magic links;
/// mount points (a running container's volumes) are crossed.
inline constexpr uint64_t container_resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

/// An absolute container path ("/a/b", "/a/b/.", "/") as openat2 takes it below the root:
/// "a/b", "a/b/.", ".".
[[nodiscard]] std::string below_root(std::string_view path);

/// Opens `path` (absolute or relative to the root) inside `root_fd` with `flags` (O_PATH,
/// O_NOFOLLOW, ...): not_found when it does not exist, and also when it lies inside a kernel
/// filesystem (proc, sysfs, cgroup, ...) other than at its mount point, which dockerd's view of a
/// container does not have.
[[nodiscard]] caf::expected<unique_fd> open_in_container(int root_fd, std::string_view path,
                                                         int flags);

/// What to do with a component that does not exist while resolving.
enum class missing_component : uint8_t {
  keep, ///< moby's FollowSymlinkInScope: taken as it is
  fail, ///< Go's filepath.EvalSymlinks: not_found
};

/// Resolves every symlink in `path` inside the root, as the container sees its tree: the result
/// is an absolute, clean path ("/" for the root) naming the same file with no symlink on the way.
/// ".." is lexical on what was resolved so far (as in moby's FollowSymlinkInScope); more than
/// 255 symlinks is an error. Each step is a descriptor-relative lookup below the root.
[[nodiscard]] caf::expected<std::string> resolve_in_container(int root_fd, std::string_view path,
                                                              missing_component missing);

/// dockerd's archive path: Clean("/" + path) (".." lexical), with a trailing "/" or "/." of
/// `path` kept (moby's PreserveTrailingDotOrSeparator): "a//b/" → "/a/b/", "x/." → "/x/.".
[[nodiscard]] std::string archive_path(std::string_view path);

/// Go's path.Base: the last element after trailing slashes are removed; "/" for only slashes,
/// "." for "".
[[nodiscard]] std::string go_base(std::string_view path);

} // namespace berth::storage
