// A stack of layer directories seen merged as overlayfs shows them, and paths resolved in that
// view as dockerd resolves a COPY destination in a container's root (FollowSymlinkInScope).
//
// The layers are plain directories, top-most first (a build step's new layer over its image's
// layers). An entry is the top-most layer's; a whiteout (character device 0/0) hides everything
// below it; a directory merges with the directories of the same path below it, down to an opaque
// one (trusted.overlay.opaque "y") or a non-directory, which ends the merge. Nothing here asks the
// kernel to follow a symlink: each lookup is fstatat(AT_SYMLINK_NOFOLLOW) below descriptors of
// the layers, and links are read and interpreted here, scoped to the view's root, so a link can
// never lead outside the layers. Blocking; a view may be used by one thread at a time.
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

class layer_view {
 public:
  /// Opens `layer_dirs` (top-most first). An empty list is an empty root directory.
  [[nodiscard]] static caf::expected<layer_view> open(const std::vector<std::string>& layer_dirs);

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

  explicit layer_view(std::vector<unique_fd> roots) : roots_(std::move(roots)) {}

  /// The merged entry at `parts` (a symlink's target read), or nullopt.
  [[nodiscard]] caf::expected<std::optional<entry>>
  lookup(const std::vector<std::string>& parts) const;

  std::vector<unique_fd> roots_;
};

} // namespace berth::storage
