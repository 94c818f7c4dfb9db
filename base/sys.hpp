// Checked system calls: each failure becomes a `caf::error` naming the call, its path and errno.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "base/fd.hpp"

namespace berth::sys {

/// Builds the error for a failed call: "open /var/lib/berth/x: Permission denied".
/// ENOENT maps to not_found, EEXIST to conflict, EACCES/EPERM to forbidden, else system.
[[nodiscard]] caf::error error_from_errno(std::string_view call, std::string_view path, int err);

/// open(2) with O_CLOEXEC added.
[[nodiscard]] caf::expected<unique_fd> open(const std::string& path, int flags, mode_t mode = 0);

/// openat2(2) with O_CLOEXEC added: `resolve` takes RESOLVE_* flags (e.g. RESOLVE_IN_ROOT to
/// resolve `path` as if `dirfd` were "/"). Retries EAGAIN (a concurrent rename or mount) a few
/// times. `path` is relative to `dirfd`; errors name it.
[[nodiscard]] caf::expected<unique_fd> openat2(int dirfd, const std::string& path, uint64_t flags,
                                               uint64_t resolve, mode_t mode = 0);

/// Writes all of `data` to `fd` (retrying short writes and EINTR); errors name `path`.
[[nodiscard]] caf::error write_all(int fd, std::string_view data, std::string_view path);

/// Reads a whole (small) file.
[[nodiscard]] caf::expected<std::string> read_file(const std::string& path,
                                                   size_t max_bytes = 16 << 20);

/// Writes `data` to `path` atomically: temp file in the same directory, fsync, rename, fsync dir.
[[nodiscard]] caf::error write_file_atomic(const std::string& path, std::string_view data,
                                           mode_t mode = 0644);

/// mkdir -p with `mode` for created directories.
[[nodiscard]] caf::error make_dirs(const std::string& path, mode_t mode = 0755);

/// fsync of a directory (after a rename into it).
[[nodiscard]] caf::error sync_dir(const std::string& path);

/// Returns whether `path` exists (any type; symlinks not followed).
[[nodiscard]] bool exists(const std::string& path);

/// Removes a file or an empty directory; a missing path is not an error.
[[nodiscard]] caf::error remove(const std::string& path);

/// Removes a tree (like rm -rf) without following symlinks; a missing path is not an error.
[[nodiscard]] caf::error remove_all(const std::string& path);

/// The names in the directory open at `dirfd` (without "." and ".."), sorted; `dirfd` stays open
/// and unmoved. `path` only names the directory in errors.
[[nodiscard]] caf::expected<std::vector<std::string>> directory_entries(int dirfd,
                                                                        const std::string& path);

/// The target of the symlink `name` in the directory open at `dirfd` (readlinkat), whatever its
/// length. `path` only names the link in errors.
[[nodiscard]] caf::expected<std::string> read_link_at(int dirfd, const std::string& name,
                                                      const std::string& path);

/// Removes `name` (a file, or a directory tree like rm -rf) relative to `dirfd`, never following
/// symlinks and never descending into another filesystem; a missing name is not an error.
[[nodiscard]] caf::error remove_all_at(int dirfd, const std::string& name);

} // namespace berth::sys
