// Checked system calls: each failure becomes a `caf::error` naming the call, its path and errno.
#pragma once

#include <string>
#include <string_view>
#include <sys/types.h>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "base/fd.hpp"

namespace berth::sys {

/// Builds the error for a failed call: "open /var/lib/berth/x: Permission denied".
/// ENOENT maps to not_found, EEXIST to conflict, EACCES/EPERM to forbidden, else system.
[[nodiscard]] caf::error error_from_errno(std::string_view call, std::string_view path, int err);

/// open(2) with O_CLOEXEC added.
[[nodiscard]] caf::expected<unique_fd> open(const std::string& path, int flags, mode_t mode = 0);

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

} // namespace berth::sys
