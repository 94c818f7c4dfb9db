// A stack of layer directories seen merged as overlayfs shows them, and paths resolved in that
// view as dockerd resolves a COPY destination in a container's root (FollowSymlinkInScope).
//
// The layers are plain directories, top-most first (a build step's new layer over its image's
// layers). An entry is the top-most layer's; a whiteout (character device 0/0) hides everything
// below it; a directory merges with the directories of the same path below it, down to an opaque
// one (trusted.overlay.opaque "y") or a non-directory, which ends the merge. Nothing here asks the
// kernel to follow a symlink: each lookup is fstatat(AT_SYMLINK_NOFOLLOW) below descriptors of
// the layers, and links are read and interpreted here, scoped to the view's root, so a link can
// never lead outside the layers. Blocking; a view (or a merged_directory) may be used by one
// thread at a time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <vector>

#include <caf/expected.hpp>

#include "base/fd.hpp"

namespace berth::storage {

/// The components of `path` ("/a//b/./c/" → a, b, c): empty and "." ones dropped, ".." kept.
[[nodiscard]] std::vector<std::string> path_components(std::string_view path);

/// Whether `st` is overlayfs' whiteout: a character device 0/0.
[[nodiscard]] bool is_whiteout(const struct stat& st);

/// Whether the directory open at `dir_fd` (not O_PATH) is opaque: trusted.overlay.opaque "y".
[[nodiscard]] bool is_opaque_directory(int dir_fd);

/// One directory of a layer_view: the layers' directories that merge at its path, top-most
/// first, held open (a descriptor each). Its entries are looked up with one fstatat per merging
/// layer however deep it is, so a walk keeps one per level of its descent rather than looking
/// each path up from the root (which opens a directory per component and layer).
class merged_directory {
 public:
  /// An empty directory: one the view does not have.
  merged_directory() = default;

  /// Whether the view has a directory at this path.
  [[nodiscard]] bool exists() const { return !dirs_.empty(); }

  /// The merged entry `name` (one component, not "." or "..") in this directory, nothing
  /// followed; nullopt when the view has nothing there.
  [[nodiscard]] caf::expected<std::optional<struct stat>> lstat(const std::string& name) const;

  /// The merged directory `name` in this directory, empty (not exists()) when the view has no
  /// directory there.
  [[nodiscard]] caf::expected<merged_directory> open(const std::string& name) const;

 private:
  friend class layer_view;

  /// The top-most entry of a name and the layer directory that holds it.
  struct found {
    struct stat st {};
    int dir_fd = -1;
  };

  merged_directory(std::string path, std::vector<unique_fd> dirs)
      : path_(std::move(path)), dirs_(std::move(dirs)) {}

  [[nodiscard]] caf::expected<std::optional<found>> find(const std::string& name) const;
  [[nodiscard]] std::string path_of(const std::string& name) const;

  std::string path_;            ///< "/a/b" ("" for the root), for errors
  std::vector<unique_fd> dirs_; ///< top-most first; none when the view has no directory here
};

class layer_view {
 public:
  /// Opens `layer_dirs` (top-most first). An empty list is an empty root directory.
  [[nodiscard]] static caf::expected<layer_view> open(const std::vector<std::string>& layer_dirs);

  /// The root directory, to walk the view a directory at a time.
  [[nodiscard]] const merged_directory& root() const { return root_; }

  /// The merged entry at `path` ("/a/b" or "a/b", no "." or ".." components), no symlink
  /// followed on the way or at the end; nullopt when the view has nothing there (also when a
  /// component on the way is not a directory). "/" is the root directory.
  [[nodiscard]] std::optional<struct stat> lstat(std::string_view path) const;

  /// `path` (absolute) with every symlink on it resolved in the view, the last component
  /// included, as moby's FollowSymlinkInScope does in a container's root: an absolute target
  /// starts again at the root, ".." never goes above the root, components that do not exist are
  /// kept as they are. The result is absolute and clean ("/" for the root). After 255 components
  /// (links expanded included) an error like dockerd's: "evalSymlinksInScope: too many links in
  /// <path>".
  [[nodiscard]] caf::expected<std::string> resolve(std::string_view path) const;

 private:
  struct entry {
    struct stat st {};
    std::string link_target; ///< for a symlink
  };

  explicit layer_view(merged_directory root) : root_(std::move(root)) {}

  /// The merged entry at `parts` (a symlink's target read), or nullopt.
  [[nodiscard]] caf::expected<std::optional<entry>>
  lookup(const std::vector<std::string>& parts) const;

  merged_directory root_;
};

} // namespace berth::storage
