// `docker diff` from an overlay upper directory.
#include "storage/container_changes.hpp"
#include "storage/upper_dir_tar.hpp"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <optional>
#include <set>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/sys.hpp"

namespace berth::storage {

namespace {

bool is_whiteout(const struct stat& st) {
  return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
}

bool is_opaque(int dirfd) {
  char value[2] = {};
  auto n = fgetxattr(dirfd, "trusted.overlay.opaque", value, sizeof value);
  return n == 1 && value[0] == 'y';
}

// The entry at `rel` in the first lower layer that has it (a whiteout there means it is gone).
std::optional<struct stat> stat_below(const std::vector<unique_fd>& lowers,
                                      const std::string& rel) {
  for (const auto& lower : lowers) {
    auto fd = sys::openat2(lower.get(), rel, O_PATH | O_NOFOLLOW,
                           RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | RESOLVE_NO_XDEV);
    if (!fd) continue;
    struct stat st {};
    if (fstat(fd->get(), &st) != 0) continue;
    if (is_whiteout(st)) return std::nullopt;
    return st;
  }
  return std::nullopt;
}

caf::expected<std::vector<std::string>> sorted_names(int dirfd, const std::string& path) {
  return sys::directory_entries(dirfd, path);
}

struct walker {
  const std::vector<unique_fd>& lowers;
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

  caf::error walk(int dirfd, const std::string& dir_path) {
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
      auto below = stat_below(lowers, rel);
      if (is_whiteout(st)) {
        record(path, change_kind::deleted, false);
      } else if (child && below && is_opaque(child.get())) {
        record(path, change_kind::deleted, true); // its lower contents are hidden
      } else if (!below) {
        record(path, change_kind::added, S_ISDIR(st.st_mode));
      } else if (S_ISDIR(st.st_mode) && S_ISDIR(below->st_mode) && st.st_mode == below->st_mode &&
                 st.st_uid == below->st_uid && st.st_gid == below->st_gid) {
        // Copied up as the parent of a change (its time changed with it): reported with that
        // change, as a commit writes it only then.
      } else {
        record(path, change_kind::modified, S_ISDIR(st.st_mode));
      }
      if (child)
        if (auto err = walk(child.get(), path)) return err;
    }
    return {};
  }
};

} // namespace

caf::expected<std::vector<layer_change>> container_changes(const std::string& upper,
                                                           const std::vector<std::string>& lowers) {
  auto root = sys::open(upper, O_RDONLY | O_DIRECTORY);
  if (!root) return root.error();
  std::vector<unique_fd> lower_fds;
  for (const auto& dir : lowers) {
    // Layer paths are the daemon's own (short links to layer directories): followed.
    auto fd = sys::open(dir, O_PATH | O_DIRECTORY);
    if (!fd) return fd.error();
    lower_fds.push_back(std::move(*fd));
  }
  walker w{lower_fds, {}, {}};
  if (auto err = w.walk(root->get(), "/")) return err;
  return std::move(w.out);
}

} // namespace berth::storage
