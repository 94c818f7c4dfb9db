// docker cp inside a container's root directory (an open descriptor of it): the stat of a path
// (HEAD /containers/{id}/archive), a tar of a path (GET) and the extraction of a tar into a
// directory (PUT), with dockerd's naming rules.
//
// The container is untrusted: every path is resolved below `root_fd` with openat2
// RESOLVE_IN_ROOT, so a symlink in the container (`/out -> /`) leads to the container's own root,
// never to the host's; the tar walk opens each entry relative to its parent with O_NOFOLLOW; an
// uploaded tar is untrusted too (names cleaned, ".." refused, written through descriptors by
// layer_writer). Kernel filesystems (proc, sysfs, cgroup, ...) that a running container's root
// shows are neither read nor written. Blocking; thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "base/byte_sink.hpp"
#include "base/byte_source.hpp"
#include "base/fd.hpp"
#include "storage/layer_unpack.hpp"

namespace berth::storage {

/// Go's io/fs.FileMode type and property bits (the permission bits are the low 9).
namespace go_mode {
inline constexpr uint32_t dir = 1u << 31;
inline constexpr uint32_t symlink = 1u << 27;
inline constexpr uint32_t device = 1u << 26;
inline constexpr uint32_t named_pipe = 1u << 25;
inline constexpr uint32_t socket = 1u << 24;
inline constexpr uint32_t setuid = 1u << 23;
inline constexpr uint32_t setgid = 1u << 22;
inline constexpr uint32_t char_device = 1u << 21;
inline constexpr uint32_t sticky = 1u << 20;
} // namespace go_mode

/// A stat mode as Go's os.FileMode (what dockerd's PathStat carries).
[[nodiscard]] uint32_t go_file_mode(mode_t mode);

/// dockerd's container.PathStat.
struct path_stat {
  std::string name;        ///< Go's filepath.Base of the path asked for
  int64_t size = 0;        ///< lstat size
  uint32_t mode = 0;       ///< Go's os.FileMode
  int64_t mtime_nanos = 0; ///< unix nanoseconds
  std::string link_target; ///< symlinks: the absolute path they lead to in the container
};

/// The stat of `path` (symlinks not followed, except with a trailing "/"); not_found when it does
/// not exist.
[[nodiscard]] caf::expected<path_stat> stat_container_path(int root_fd, const std::string& path);

/// What a GET archives: the resolved source, open, and its stat (for the header).
class archive_source {
 public:
  /// Opens `path`, cleaned as dockerd does (absolute, with a trailing "/" or "/." kept). A
  /// directory is archived with its contents under the name `base(path)` (its contents only for
  /// "dir/."; names start with "/" for the root), anything else as one entry `base(path)`.
  [[nodiscard]] static caf::expected<archive_source> open(int root_fd, const std::string& path);

  [[nodiscard]] const path_stat& stat() const { return stat_; }

  /// Writes the tar (pax) to `out`. Directories are walked in name order through descriptors
  /// (O_NOFOLLOW); mounts inside are entered, kernel filesystems are not; hard links within the
  /// tree become link entries; sockets are skipped; only the security.capability attribute is
  /// kept; times are whole seconds, like dockerd's.
  [[nodiscard]] caf::error write(byte_sink& out);

 private:
  archive_source() = default;

  path_stat stat_;
  unique_fd source_;     ///< non-directories: the source (O_PATH, not followed)
  unique_fd dir_;        ///< directories: the source, readable
  std::string top_name_; ///< the name of the first entry
};

/// PUT's options.
struct extract_options {
  bool no_overwrite_dir_non_dir = false; ///< refuse to replace a directory by a non-directory and
                                         ///< the other way round
  std::optional<std::pair<uint32_t, uint32_t>> owner; ///< every entry's uid:gid (copyUIDGID)
  unpack_limits limits;
};

/// Where a PUT extracts: the directory `path` names with every symlink followed (also the last
/// one), as its clean absolute path. not_found when it does not exist; invalid_argument
/// "extraction point is not a directory" when it is not a directory.
[[nodiscard]] caf::expected<std::string> extraction_directory(int root_fd, const std::string& path);

/// Extracts the tar in `source` (plain, gzip, bzip2, xz or zstd) into `directory` (from
/// extraction_directory) below `root_fd`. Names are cleaned (".." refused), parents resolved
/// inside the root, existing files replaced (directories merged); the "." entry does not change
/// the directory itself; device nodes and sockets are skipped. An empty body extracts nothing.
/// On an error the entries before it stay extracted, as with dockerd.
[[nodiscard]] caf::error extract_into_container(int root_fd, const std::string& directory,
                                                byte_source& source, const extract_options& opts);

} // namespace berth::storage
