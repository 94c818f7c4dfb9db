// An overlay upper directory as a layer tar.
#include "storage/upper_dir_tar.hpp"

#include <cerrno>
#include <fcntl.h>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/sys.hpp"
#include "storage/layer_view.hpp"
#include "storage/tar_writer.hpp"

namespace berth::storage {

namespace {

constexpr const char* whiteout_prefix = ".wh.";
constexpr const char* opaque_marker = ".wh..wh..opq";

unique_fd open_directory_at(int dirfd, const std::string& name) {
  return unique_fd(openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

class upper_walker {
 public:
  explicit upper_walker(byte_sink& out) : tar_(out) {}

  caf::expected<upper_tar_result> run(int root_fd, const merged_directory& below) {
    if (auto err = tar_.open()) return err;
    if (auto err = walk(root_fd, "", below)) return err;
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

  // `below`: the merged lower layers' directory at the parent's path.
  caf::error add_directory(int dirfd, const std::string& leaf, const std::string& rel,
                           const merged_directory& below) {
    auto child = open_directory_at(dirfd, leaf);
    if (!child) {
      if (errno == ENOENT) return {}; // removed while we walk
      return sys::error_from_errno("open", rel, errno);
    }
    struct stat st {};
    if (fstat(child.get(), &st) != 0) return sys::error_from_errno("stat", rel, errno);
    auto name = rel + "/";
    bool opaque = is_opaque_directory(child.get());
    auto lower = below.lstat(leaf);
    if (!lower) return lower.error();
    auto waiting = pending_.size();
    if (!opaque && is_copied_up_parent(rel, st, *lower)) {
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
    // Nothing of the image shows inside an opaque directory: nothing in it is a copy-up.
    auto lower_dir = opaque ? merged_directory{} : below.open(leaf);
    if (!lower_dir) return lower_dir.error();
    if (auto err = walk(child.get(), name, *lower_dir)) return err;
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

  caf::error add_entry(int dirfd, const std::string& prefix, const std::string& leaf,
                       const merged_directory& below) {
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
    if (S_ISDIR(st.st_mode)) return add_directory(dirfd, leaf, rel, below);
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

  caf::error walk(int dirfd, const std::string& prefix, const merged_directory& below) {
    auto names = sys::directory_entries(dirfd, prefix.empty() ? "/" : prefix);
    if (!names) return names.error();
    for (const auto& leaf : *names)
      if (auto err = add_entry(dirfd, prefix, leaf, below)) return err;
    return {};
  }

  tar_writer tar_;
  std::vector<pending_directory> pending_;
};

} // namespace

bool is_copied_up_parent(const std::string& rel, const struct stat& st,
                         const std::optional<struct stat>& below) {
  // dockerd's init layer holds the parents of its mount targets: with no directory of the image
  // there, the container's is no change by itself either.
  if (!below) return rel == "etc" || rel == "dev";
  return S_ISDIR(below->st_mode) && below->st_mode == st.st_mode && below->st_uid == st.st_uid &&
         below->st_gid == st.st_gid;
}

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
  auto below = layer_view::open(lowers);
  if (!below) return below.error();
  upper_walker walker(out);
  return walker.run(root->get(), below->root());
}

} // namespace berth::storage
