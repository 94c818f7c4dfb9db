// docker cp out of a container: the stat of a path and a tar of it, walked through descriptors.
#include <cerrno>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "storage/container_archive.hpp"
#include "storage/container_path.hpp"
#include "storage/kernel_filesystem.hpp"
#include "storage/tar_writer.hpp"

namespace berth::storage {

namespace {

/// Deeper trees are refused rather than walked with one open descriptor per level.
constexpr size_t max_depth = 1024;

path_stat stat_of(std::string name, const struct stat& st) {
  path_stat out;
  out.name = std::move(name);
  out.size = st.st_size;
  out.mode = go_file_mode(st.st_mode);
  out.mtime_nanos = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  return out;
}

/// The path of an open descriptor for calls that only take paths (getxattr): /proc resolves it to
/// that very file.
std::string fd_path(int fd) {
  return "/proc/self/fd/" + std::to_string(fd);
}

/// The tar stream of one archive_source: dockerd's header conventions, contents read from
/// descriptors only.
class tree_tar {
 public:
  explicit tree_tar(byte_sink& sink) : tar_(sink, tar_header_times::mtime_whole_seconds) {}

  caf::error open() { return tar_.open(); }

  caf::error close() { return tar_.close(); }

  /// One non-directory open at `fd` (O_PATH, not followed), named `name`.
  caf::error add_file(int fd, const std::string& name) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return sys::error_from_errno("stat", name, errno);
    if (S_ISREG(st.st_mode)) {
      // Reopened through /proc from the O_PATH descriptor: the very same inode, readable.
      unique_fd readable{::open(fd_path(fd).c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
      if (!readable) return sys::error_from_errno("open", name, errno);
      return add_regular(readable.get(), name);
    }
    if (S_ISLNK(st.st_mode)) return add_symlink(fd, "", name, st);
    return add_special(name, st);
  }

  /// A directory open at `dir` (readable), named `name` ("" for the root), and what is below it.
  caf::error add_tree(int dir, const std::string& name) {
    struct stat st {};
    if (::fstat(dir, &st) != 0) return sys::error_from_errno("stat", name, errno);
    return add_directory(dir, name, st, 0);
  }

 private:
  caf::error add_regular(int fd, const std::string& name) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return sys::error_from_errno("stat", name, errno);
    if (!S_ISREG(st.st_mode)) return add_special(name, st);
    return tar_.add_file_or_hardlink(name, st, fd, file_capability(fd));
  }

  caf::error add_symlink(int dirfd, const std::string& leaf, const std::string& name,
                         const struct stat& st) {
    auto target = sys::read_link_at(dirfd, leaf, name);
    if (!target) return target.error();
    return tar_.add_symlink(name, st, *target);
  }

  caf::error add_special(const std::string& name, const struct stat& st) {
    // Sockets have no tar form: skipped, as dockerd's tars do.
    if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode) && !S_ISFIFO(st.st_mode)) return {};
    return tar_.add_special(name, st);
  }

  caf::error add_directory(int dir, const std::string& name, const struct stat& st, size_t depth) {
    if (auto err = tar_.add_directory(name + "/", st)) return err;
    // A running container's /proc, /sys, ...: the mount point only, as in dockerd's view.
    if (on_kernel_filesystem(dir)) return {};
    if (depth >= max_depth)
      return make_error(errc::invalid_argument,
                        "directory tree deeper than " + std::to_string(max_depth) + " levels");
    auto names = sys::directory_entries(dir, name.empty() ? "/" : name);
    if (!names) return names.error();
    for (const auto& leaf : *names)
      if (auto err = add_child(dir, leaf, name + "/" + leaf, depth)) return err;
    return {};
  }

  caf::error add_child(int dir, const std::string& leaf, const std::string& name, size_t depth) {
    struct stat st {};
    if (::fstatat(dir, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return {}; // removed meanwhile
      return sys::error_from_errno("stat", name, errno);
    }
    if (S_ISLNK(st.st_mode)) return add_symlink(dir, leaf, name, st);
    if (S_ISREG(st.st_mode)) {
      unique_fd fd{::openat(dir, leaf.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)};
      if (!fd) return errno == ENOENT ? caf::error{} : sys::error_from_errno("open", name, errno);
      return add_regular(fd.get(), name);
    }
    if (S_ISDIR(st.st_mode)) {
      unique_fd child{::openat(dir, leaf.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)};
      if (!child)
        return errno == ENOENT ? caf::error{} : sys::error_from_errno("open", name, errno);
      if (::fstat(child.get(), &st) != 0) return sys::error_from_errno("stat", name, errno);
      return add_directory(child.get(), name, st, depth + 1);
    }
    return add_special(name, st);
  }

  tar_writer tar_;
};

} // namespace

uint32_t go_file_mode(mode_t mode) {
  uint32_t out = mode & 0777;
  switch (mode & S_IFMT) {
  case S_IFBLK:
    out |= go_mode::device;
    break;
  case S_IFCHR:
    out |= go_mode::device | go_mode::char_device;
    break;
  case S_IFDIR:
    out |= go_mode::dir;
    break;
  case S_IFIFO:
    out |= go_mode::named_pipe;
    break;
  case S_IFLNK:
    out |= go_mode::symlink;
    break;
  case S_IFSOCK:
    out |= go_mode::socket;
    break;
  default:
    break;
  }
  if (mode & S_ISUID) out |= go_mode::setuid;
  if (mode & S_ISGID) out |= go_mode::setgid;
  if (mode & S_ISVTX) out |= go_mode::sticky;
  return out;
}

caf::expected<path_stat> stat_container_path(int root_fd, const std::string& path) {
  auto fd = open_in_container(root_fd, path, O_PATH | O_NOFOLLOW);
  if (!fd) return fd.error();
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) return sys::error_from_errno("stat", path, errno);
  auto out = stat_of(go_base(path), st);
  if (S_ISLNK(st.st_mode)) {
    auto target = resolve_in_container(root_fd, path, missing_component::keep);
    if (!target) return target.error();
    out.link_target = std::move(*target);
  }
  return out;
}

caf::expected<archive_source> archive_source::open(int root_fd, const std::string& path) {
  auto abs = archive_path(path);
  auto info = stat_container_path(root_fd, abs);
  if (!info) return info.error();
  archive_source src;
  src.stat_ = std::move(*info);
  auto rebase = go_base(abs);
  src.top_name_ = rebase == "/" ? "" : rebase;
  if (src.stat_.mode & go_mode::dir) {
    auto dir = open_in_container(root_fd, abs, O_RDONLY | O_DIRECTORY);
    if (!dir) return dir.error();
    src.dir_ = std::move(*dir);
  } else {
    auto fd = open_in_container(root_fd, abs, O_PATH | O_NOFOLLOW);
    if (!fd) return fd.error();
    src.source_ = std::move(*fd);
  }
  return src;
}

caf::error archive_source::write(byte_sink& out) {
  tree_tar tar{out};
  if (auto err = tar.open()) return err;
  auto err = dir_ ? tar.add_tree(dir_.get(), top_name_) : tar.add_file(source_.get(), top_name_);
  if (err) return err;
  return tar.close();
}

} // namespace berth::storage
