// docker cp out of a container: the stat of a path and a tar of it, walked through descriptors.
#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <map>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utility>
#include <vector>

#include <archive.h>
#include <archive_entry.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "storage/archive_error.hpp"
#include "storage/archive_sink.hpp"
#include "storage/container_archive.hpp"
#include "storage/container_path.hpp"
#include "storage/kernel_filesystem.hpp"

namespace berth::storage {

namespace {

/// Deeper trees are refused rather than walked with one open descriptor per level.
constexpr size_t max_depth = 1024;

/// The only extended attribute dockerd's tars carry.
constexpr const char* capability_xattr = "security.capability";

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

using archive_ptr = std::unique_ptr<struct archive, decltype(&archive_write_free)>;
using entry_ptr = std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)>;

/// The tar stream of one archive_source: dockerd's header conventions, contents read from
/// descriptors only.
class tree_tar {
 public:
  explicit tree_tar(byte_sink& sink)
      : state_{&sink, {}}, a_(archive_write_new(), archive_write_free), buffer_(1 << 20) {}

  caf::error open() {
    archive_write_set_format_pax_restricted(a_.get());
    archive_write_set_bytes_per_block(a_.get(), 0);
    if (archive_write_open(a_.get(), &state_, nullptr, write_to_sink, nullptr) != ARCHIVE_OK)
      return failure("open archive");
    return {};
  }

  caf::error close() {
    if (archive_write_close(a_.get()) != ARCHIVE_OK) return failure("finish archive");
    return {};
  }

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
  caf::error failure(const std::string& what) {
    if (state_.failure) return state_.failure;
    return make_error(errc::system, what + ": " + archive_message(a_.get(), "error"));
  }

  static entry_ptr entry_for(const std::string& name, const struct stat& st) {
    entry_ptr e(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_copy_stat(e.get(), &st);
    archive_entry_set_nlink(e.get(), 1);
    // dockerd's headers: modification time in whole seconds, no access or change time.
    archive_entry_set_mtime(e.get(), st.st_mtim.tv_sec, 0);
    archive_entry_unset_atime(e.get());
    archive_entry_unset_ctime(e.get());
    archive_entry_unset_birthtime(e.get());
    if (!S_ISREG(st.st_mode)) archive_entry_set_size(e.get(), 0);
    return e;
  }

  caf::error header(struct archive_entry* e, const std::string& name) {
    if (archive_write_header(a_.get(), e) != ARCHIVE_OK) return failure("write header " + name);
    return {};
  }

  caf::error add_regular(int fd, const std::string& name) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return sys::error_from_errno("stat", name, errno);
    if (!S_ISREG(st.st_mode)) return add_special(name, st);
    auto e = entry_for(name, st);
    if (st.st_nlink > 1) {
      auto [it, fresh] = links_.emplace(std::make_pair(st.st_dev, st.st_ino), name);
      if (!fresh) {
        archive_entry_set_size(e.get(), 0);
        archive_entry_set_hardlink(e.get(), it->second.c_str());
        return header(e.get(), name);
      }
    }
    std::string cap(256, '\0');
    auto n = ::fgetxattr(fd, capability_xattr, cap.data(), cap.size());
    if (n > 0)
      archive_entry_xattr_add_entry(e.get(), capability_xattr, cap.data(), static_cast<size_t>(n));
    if (auto err = header(e.get(), name)) return err;
    // Exactly the size announced: a file that grows is cut, one that shrinks is padded.
    auto left = static_cast<uint64_t>(st.st_size);
    while (left > 0) {
      auto want = static_cast<size_t>(std::min<uint64_t>(left, buffer_.size()));
      auto got = ::read(fd, buffer_.data(), want);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return sys::error_from_errno("read", name, errno);
      if (got == 0) {
        std::fill(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(want), '\0');
        got = static_cast<ssize_t>(want);
      }
      if (archive_write_data(a_.get(), buffer_.data(), static_cast<size_t>(got)) < 0)
        return failure("write data " + name);
      left -= static_cast<uint64_t>(got);
    }
    return {};
  }

  caf::error add_symlink(int dirfd, const std::string& leaf, const std::string& name,
                         const struct stat& st) {
    // Kernel filesystems report no size for their links: room for the longest path then.
    std::string target(std::max<size_t>(static_cast<size_t>(st.st_size), 4095) + 1, '\0');
    auto n = ::readlinkat(dirfd, leaf.c_str(), target.data(), target.size());
    if (n < 0) return sys::error_from_errno("readlink", name, errno);
    target.resize(static_cast<size_t>(n));
    auto e = entry_for(name, st);
    archive_entry_set_symlink(e.get(), target.c_str());
    return header(e.get(), name);
  }

  caf::error add_special(const std::string& name, const struct stat& st) {
    // Sockets have no tar form: skipped, as dockerd's tars do.
    if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode) && !S_ISFIFO(st.st_mode)) return {};
    auto e = entry_for(name, st);
    return header(e.get(), name);
  }

  caf::error add_directory(int dir, const std::string& name, const struct stat& st, size_t depth) {
    auto e = entry_for(name + "/", st);
    if (auto err = header(e.get(), name)) return err;
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

  archive_sink_state state_;
  archive_ptr a_;
  std::vector<char> buffer_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
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
