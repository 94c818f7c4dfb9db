// `docker diff` from an overlay upper directory.
#include "storage/container_changes.hpp"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <optional>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/sys.hpp"
#include "storage/layer_view.hpp"
#include "storage/upper_dir_tar.hpp"

namespace berth::storage {

namespace {

caf::expected<std::vector<std::string>> sorted_names(int dirfd, const std::string& path) {
  return sys::directory_entries(dirfd, path);
}

struct walker {
  std::vector<layer_change> out;
  std::set<std::string> changed_dirs;

  void record(const std::string& path, change_kind kind, bool is_dir) {
    if (is_dir) changed_dirs.insert(path);
    if (kind != change_kind::modified) {
      auto slash = path.rfind('/');
      auto parent = slash == 0 ? std::string("/") : path.substr(0, slash);
      if (parent != "/" && changed_dirs.insert(parent).second)
        out.push_back({parent, change_kind::modified});
    }
    out.push_back({path, kind});
  }

  // `below`: the merged lower layers' directory at `dir_path`; `in_opaque`: `dir_path` is in an
  // opaque directory (or is one), so nothing in it is a copy-up.
  caf::error walk(int dirfd, const std::string& dir_path, const merged_directory& below,
                  bool in_opaque) {
    auto names = sorted_names(dirfd, dir_path);
    if (!names) return names.error();
    for (const auto& name : *names) {
      auto path = (dir_path == "/" ? "/" : dir_path + "/") + name;
      struct stat st {};
      if (fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue; // removed while we walk
        return sys::error_from_errno("stat", path, errno);
      }
      auto rel = path.substr(1);
      // dockerd keeps these in a container's init layer: never a change of the container's own.
      if (runtime_mount_targets().count(rel) != 0) continue;
      unique_fd child;
      if (S_ISDIR(st.st_mode)) {
        child =
            unique_fd(openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!child) {
          if (errno == ENOENT) continue;
          return sys::error_from_errno("open", path, errno);
        }
      }
      auto lower = below.lstat(name);
      if (!lower) return lower.error();
      bool opaque = child && is_opaque_directory(child.get());
      if (is_whiteout(st)) {
        record(path, change_kind::deleted, false);
      } else if (opaque && *lower) {
        record(path, change_kind::deleted, true); // its lower contents are hidden
      } else if (child && !opaque && !in_opaque && is_copied_up_parent(rel, st, *lower)) {
        // Only there for a change inside it: reported with that change, as a commit writes it
        // only then.
      } else if (!*lower) {
        record(path, change_kind::added, S_ISDIR(st.st_mode));
      } else {
        record(path, change_kind::modified, S_ISDIR(st.st_mode));
      }
      if (!child) continue;
      auto lower_dir = below.open(name);
      if (!lower_dir) return lower_dir.error();
      if (auto err = walk(child.get(), path, *lower_dir, in_opaque || opaque)) return err;
    }
    return {};
  }
};

} // namespace

caf::expected<std::vector<layer_change>> container_changes(const std::string& upper,
                                                           const std::vector<std::string>& lowers) {
  auto root = sys::open(upper, O_RDONLY | O_DIRECTORY);
  if (!root) return root.error();
  // Layer paths are the daemon's own (short links to layer directories): followed.
  auto below = layer_view::open(lowers);
  if (!below) return below.error();
  walker w{{}, {}};
  if (auto err = w.walk(root->get(), "/", below->root(), false)) return err;
  return std::move(w.out);
}

} // namespace berth::storage
