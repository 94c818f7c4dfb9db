// Creates a layer's files under one directory through descriptors, so nothing lands outside it.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <sys/types.h>
#include <utility>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "base/fd.hpp"

namespace berth::storage {

/// Ownership, permissions, times and extended attributes of one entry.
struct entry_meta {
  uint32_t uid = 0;
  uint32_t gid = 0;
  mode_t mode = 0;               ///< permission bits, with setuid, setgid and sticky
  timespec atime{0, UTIME_OMIT}; ///< UTIME_OMIT: leave as created
  timespec mtime{0, UTIME_OMIT}; ///< UTIME_OMIT: leave as created
  std::vector<std::pair<std::string, std::string>> xattrs; ///< name, value; set as given
};

/// How a writer resolves names below its root.
struct writer_scope {
  /// Cross mount points below the root (a running container's volumes); a fresh layer
  /// directory has none, so by default a mount on the way is refused (RESOLVE_NO_XDEV).
  bool cross_mounts = false;
  /// Refuse to create anything in a kernel filesystem (proc, sysfs, cgroup, ...) met on the way:
  /// a container's root seen through /proc/<pid>/root has them.
  bool refuse_kernel_filesystems = false;
};

/// Writes entries into a target directory opened once. Names are cleaned entry names (see
/// layer_path.hpp; "" is the root). Parent directories are resolved with openat2 and
/// RESOLVE_IN_ROOT, so symlinks on the way are followed as if the target were "/", and missing ones
/// are created (0755, root-owned); the last component is always handled without following it. A
/// later entry replaces an earlier one of the same name; a directory over a directory keeps its
/// contents. Directory times are applied by `finish`, after all children exist.
class layer_writer {
 public:
  /// Opens `target_dir` (must be a directory, not a symlink).
  [[nodiscard]] static caf::expected<layer_writer> open(const std::string& target_dir);

  /// Writes below the directory `root` (already open, e.g. a container's root) with `scope`.
  [[nodiscard]] static caf::expected<layer_writer> open_at(unique_fd root, writer_scope scope);

  layer_writer(layer_writer&&) noexcept = default;
  layer_writer& operator=(layer_writer&&) noexcept = default;

  /// Creates (or keeps) a directory and applies `meta`; "" applies `meta` to the target itself.
  [[nodiscard]] caf::error add_directory(const std::string& name, const entry_meta& meta);

  /// Creates an empty regular file (mode 0600) and returns it open for writing.
  [[nodiscard]] caf::expected<unique_fd> create_file(const std::string& name);

  /// Applies `meta` to a file from `create_file` once its contents are written.
  [[nodiscard]] caf::error finish_file(int fd, const std::string& name, const entry_meta& meta);

  /// Creates a symlink; refuses a relative `target` that leads out of the root lexically.
  [[nodiscard]] caf::error add_symlink(const std::string& name, const std::string& target,
                                       const entry_meta& meta);

  /// Links `name` to `target` (a cleaned name), which must be an existing non-directory reached
  /// without symlinks.
  [[nodiscard]] caf::error add_hardlink(const std::string& name, const std::string& target);

  /// Creates a FIFO.
  [[nodiscard]] caf::error add_fifo(const std::string& name, const entry_meta& meta);

  /// Creates the overlayfs whiteout (a 0:0 character device) hiding `hidden` in directory `dir`.
  [[nodiscard]] caf::error add_whiteout(std::string_view dir, std::string_view hidden,
                                        const entry_meta& meta);

  /// Marks directory `dir` opaque for overlayfs (trusted.overlay.opaque=y).
  [[nodiscard]] caf::error set_opaque(std::string_view dir);

  /// Applies the deferred directory times, deepest first.
  [[nodiscard]] caf::error finish();

 private:
  /// A directory whose times are applied at the end, if it is still the one that was created.
  struct deferred_times {
    std::string name;
    dev_t dev;
    ino_t ino;
    timespec times[2];
  };

  /// Where a leaf operation happens: a borrowed parent descriptor and the last component.
  struct leaf_ref {
    int parent;
    std::string leaf;
  };

  layer_writer(unique_fd root, writer_scope scope);

  caf::expected<leaf_ref> locate(std::string_view name);
  caf::expected<int> open_parent(std::string_view dir, std::string_view name);
  caf::expected<unique_fd> make_parents(std::string_view dir, std::string_view name);
  caf::error clear(int parent, const std::string& leaf, std::string_view name);
  caf::error check_filesystem(int dir, std::string_view name) const;
  caf::error apply_meta(int fd, std::string_view name, const entry_meta& meta, bool is_dir);
  caf::error set_xattrs_at(int parent, const std::string& leaf, std::string_view name,
                           const entry_meta& meta);
  caf::error set_times_at(int parent, const std::string& leaf, std::string_view name,
                          const entry_meta& meta);

  unique_fd root_;
  writer_scope scope_;
  uint64_t resolve_ = 0;     ///< RESOLVE_* flags for names below the root
  unique_fd cached_parent_;  ///< the last parent directory resolved...
  std::string cached_path_;  ///< ...under this name
  bool cache_valid_ = false; ///< cleared whenever something is removed
  std::vector<deferred_times> dirs_;
};

} // namespace berth::storage
