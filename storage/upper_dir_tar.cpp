// An overlay upper directory as a layer tar.
#include "storage/upper_dir_tar.hpp"

#include <cerrno>
#include <fcntl.h>
#include <optional>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utility>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/sys.hpp"
#include "storage/tar_writer.hpp"

namespace berth::storage {

namespace {

constexpr const char* whiteout_prefix = ".wh.";
constexpr const char* opaque_marker = ".wh..wh..opq";
constexpr const char* opaque_xattr = "trusted.overlay.opaque";

bool is_whiteout(const struct stat& st) {
  return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
}

bool is_opaque(int dirfd) {
  char value[2] = {};
  return fgetxattr(dirfd, opaque_xattr, value, sizeof value) == 1 && value[0] == 'y';
}

unique_fd open_directory_at(int dirfd, const std::string& name) {
  return unique_fd(openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

std::vector<std::string> components_of(const std::string& rel) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= rel.size()) {
    auto slash = rel.find('/', start);
    if (slash == std::string::npos) slash = rel.size();
    if (slash > start) out.push_back(rel.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

// The image below the upper directory as overlayfs shows it: the top-most layer that has a path
// decides, a whiteout deletes it, and an opaque directory hides what layers below hold in it.
class lower_view {
 public:
  caf::error open(const std::vector<std::string>& lowers) {
    for (const auto& dir : lowers) {
      // Layer paths are the daemon's own (short links to layer directories): followed.
      auto fd = sys::open(dir, O_PATH | O_DIRECTORY);
      if (!fd) return fd.error();
      layers_.push_back(std::move(*fd));
    }
    return {};
  }

  // The entry at `rel` ("a/b") below the upper directory, if the merged lower layers show one.
  [[nodiscard]] std::optional<struct stat> lookup(const std::string& rel) const {
    auto parts = components_of(rel);
    if (parts.empty()) return std::nullopt;
    for (const auto& layer : layers_) {
      bool hides_below = false;
      int dirfd = layer.get();
      unique_fd held;
      for (size_t i = 0; i < parts.size(); ++i) {
        struct stat st {};
        if (fstatat(dirfd, parts[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) break;
        if (is_whiteout(st)) return std::nullopt;
        if (i + 1 == parts.size()) return st;
        if (!S_ISDIR(st.st_mode)) return std::nullopt; // a file here hides the rest of the path
        held = open_directory_at(dirfd, parts[i]);
        if (!held) break;
        if (is_opaque(held.get())) hides_below = true;
        dirfd = held.get();
      }
      if (hides_below) return std::nullopt;
    }
    return std::nullopt;
  }

 private:
  std::vector<unique_fd> layers_;
};

// dockerd's init layer also holds the parents of its mount targets, so a container's copy of
// them is no change by itself.
bool init_layer_parent(const std::string& rel) {
  return rel == "etc" || rel == "dev";
}

class upper_walker {
 public:
  upper_walker(byte_sink& out, lower_view below) : tar_(out), below_(std::move(below)) {}

  caf::expected<upper_tar_result> run(int root_fd) {
    if (auto err = tar_.open()) return err;
    if (auto err = walk(root_fd, "")) return err;
    if (auto err = tar_.close()) return err;
    return upper_tar_result{tar_.entries()};
  }

 private:
  struct pending_directory {
    std::string name; ///< "a/b/"
    struct stat st;
  };

  // Writes the headers of directories that waited for a child, outermost first.
  caf::error flush_pending() {
    for (const auto& d : pending_)
      if (auto err = tar_.add_directory(d.name, d.st)) return err;
    pending_.clear();
    return {};
  }

  bool unchanged_below(const std::string& rel, const struct stat& st) const {
    auto below = below_.lookup(rel);
    if (!below) return init_layer_parent(rel);
    return S_ISDIR(below->st_mode) && below->st_mode == st.st_mode && below->st_uid == st.st_uid &&
           below->st_gid == st.st_gid;
  }

  caf::error add_directory(int dirfd, const std::string& leaf, const std::string& rel) {
    auto child = open_directory_at(dirfd, leaf);
    if (!child) {
      if (errno == ENOENT) return {}; // removed while we walk
      return sys::error_from_errno("open", rel, errno);
    }
    struct stat st {};
    if (fstat(child.get(), &st) != 0) return sys::error_from_errno("stat", rel, errno);
    auto name = rel + "/";
    bool opaque = is_opaque(child.get());
    auto waiting = pending_.size();
    if (!opaque && unchanged_below(rel, st)) {
      pending_.push_back({name, st});
    } else {
      if (auto err = flush_pending()) return err;
      if (auto err = tar_.add_directory(name, st)) return err;
      if (opaque) {
        if (auto err = tar_.add_empty_file(name + opaque_marker, st.st_mode & 07777, st.st_uid,
                                           st.st_gid, {0, 0}))
          return err;
      }
    }
    if (auto err = walk(child.get(), name)) return err;
    if (pending_.size() > waiting) pending_.resize(waiting); // nothing inside was written
    return {};
  }

  caf::error add_file(int dirfd, const std::string& leaf, const std::string& rel) {
    unique_fd fd(openat(dirfd, leaf.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd) {
      if (errno == ENOENT) return {};
      return sys::error_from_errno("open", rel, errno);
    }
    struct stat st {};
    if (fstat(fd.get(), &st) != 0) return sys::error_from_errno("stat", rel, errno);
    if (!S_ISREG(st.st_mode)) return {}; // replaced meanwhile
    if (auto err = flush_pending()) return err;
    return tar_.add_file_or_hardlink(rel, st, fd.get(), file_capability(fd.get()));
  }

  caf::error add_entry(int dirfd, const std::string& prefix, const std::string& leaf) {
    auto rel = prefix + leaf;
    if (runtime_mount_targets().count(rel)) return {};
    struct stat st {};
    if (fstatat(dirfd, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return {};
      return sys::error_from_errno("stat", rel, errno);
    }
    if (is_whiteout(st)) {
      if (auto err = flush_pending()) return err;
      return tar_.add_empty_file(prefix + whiteout_prefix + leaf, 0600, st.st_uid, st.st_gid,
                                 st.st_mtim);
    }
    if (S_ISDIR(st.st_mode)) return add_directory(dirfd, leaf, rel);
    if (S_ISREG(st.st_mode)) return add_file(dirfd, leaf, rel);
    if (S_ISLNK(st.st_mode)) {
      auto target = sys::read_link_at(dirfd, leaf, rel);
      if (!target)
        return error_kind(target.error()) == errc::not_found ? caf::error{} : target.error();
      if (auto err = flush_pending()) return err;
      return tar_.add_symlink(rel, st, *target);
    }
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
      if (auto err = flush_pending()) return err;
      return tar_.add_special(rel, st);
    }
    return {}; // sockets have no tar form
  }

  caf::error walk(int dirfd, const std::string& prefix) {
    auto names = sys::directory_entries(dirfd, prefix.empty() ? "/" : prefix);
    if (!names) return names.error();
    for (const auto& leaf : *names)
      if (auto err = add_entry(dirfd, prefix, leaf)) return err;
    return {};
  }

  tar_writer tar_;
  lower_view below_;
  std::vector<pending_directory> pending_;
};

} // namespace

const std::set<std::string>& runtime_mount_targets() {
  static const std::set<std::string> paths{
      "etc/hosts", "etc/hostname", "etc/resolv.conf", "etc/mtab",    "proc",
      "sys",       "dev/pts",      "dev/shm",         "dev/console", ".dockerenv"};
  return paths;
}

caf::expected<upper_tar_result> write_upper_dir_tar(const std::string& upper,
                                                    const std::vector<std::string>& lowers,
                                                    byte_sink& out) {
  auto root = sys::open(upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (!root) return root.error();
  lower_view below;
  if (auto err = below.open(lowers)) return err;
  upper_walker walker(out, std::move(below));
  return walker.run(root->get());
}

} // namespace berth::storage
