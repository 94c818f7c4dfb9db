// Copy-up of image content into a new volume, through descriptors only.
#include "storage/volume_copy_up.hpp"

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/sys.hpp"

namespace berth::storage {

namespace {

constexpr int max_depth = 256;

caf::error errno_error(const char* call, const std::string& name) {
  return sys::error_from_errno(call, name, errno);
}

caf::expected<std::vector<std::string>> entries_of(int fd) {
  return sys::directory_entries(fd, "");
}

caf::error copy_owner_mode_times(int fd, const struct stat& st) {
  if (::fchown(fd, st.st_uid, st.st_gid) != 0) return errno_error("fchown", "");
  if (::fchmod(fd, st.st_mode & 07777) != 0) return errno_error("fchmod", "");
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  (void)::futimens(fd, times);
  return {};
}

caf::error copy_file(int src_dir, int dst_dir, const std::string& name, const struct stat& st) {
  unique_fd in{::openat(src_dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)};
  if (!in) return errno_error("open", name);
  unique_fd out{
      ::openat(dst_dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)};
  if (!out) return errno_error("create", name);
  off_t left = st.st_size;
  while (left > 0) {
    auto n = ::sendfile(out.get(), in.get(), nullptr, static_cast<size_t>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error("sendfile", name);
    if (n == 0) break; // the file shrank meanwhile
    left -= n;
  }
  return copy_owner_mode_times(out.get(), st);
}

caf::error copy_symlink(int src_dir, int dst_dir, const std::string& name, const struct stat& st) {
  auto target = sys::read_link_at(src_dir, name, name);
  if (!target) return target.error();
  if (::symlinkat(target->c_str(), dst_dir, name.c_str()) != 0) return errno_error("symlink", name);
  if (::fchownat(dst_dir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0)
    return errno_error("lchown", name);
  return {};
}

caf::error copy_tree(int src_dir, int dst_dir, int depth);

caf::error copy_directory(int src_dir, int dst_dir, const std::string& name, const struct stat& st,
                          int depth) {
  if (::mkdirat(dst_dir, name.c_str(), 0700) != 0) return errno_error("mkdir", name);
  unique_fd src{::openat(src_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)};
  if (!src) return errno_error("open", name);
  unique_fd dst{::openat(dst_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)};
  if (!dst) return errno_error("open", name);
  if (auto err = copy_tree(src.get(), dst.get(), depth + 1)) return err;
  return copy_owner_mode_times(dst.get(), st);
}

caf::error copy_entry(int src_dir, int dst_dir, const std::string& name, int depth) {
  struct stat st {};
  if (::fstatat(src_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errno_error("stat", name);
  switch (st.st_mode & S_IFMT) {
  case S_IFDIR:
    return copy_directory(src_dir, dst_dir, name, st, depth);
  case S_IFREG:
    return copy_file(src_dir, dst_dir, name, st);
  case S_IFLNK:
    return copy_symlink(src_dir, dst_dir, name, st);
  case S_IFIFO:
  case S_IFCHR:
  case S_IFBLK:
    if (::mknodat(dst_dir, name.c_str(), st.st_mode, st.st_rdev) != 0)
      return errno_error("mknod", name);
    if (::fchownat(dst_dir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0)
      return errno_error("chown", name);
    // mknod's mode went through the umask: set the image's mode again (after the chown, which
    // may clear setuid bits). NOFOLLOW: never chmod through a symlink swapped in meanwhile.
    if (::fchmodat(dst_dir, name.c_str(), st.st_mode & 07777, AT_SYMLINK_NOFOLLOW) != 0)
      return errno_error("chmod", name);
    return {};
  default:
    return {}; // sockets are not copied (as dockerd)
  }
}

caf::error copy_tree(int src_dir, int dst_dir, int depth) {
  if (depth > max_depth)
    return make_error(errc::invalid_argument, "copy-up: the image's directory tree is too deep");
  auto names = entries_of(src_dir);
  if (!names) return names.error();
  for (const auto& name : *names)
    if (auto err = copy_entry(src_dir, dst_dir, name, depth)) return err;
  return {};
}

} // namespace

caf::error check_volume_target(const std::string& rootfs, const std::string& container_path) {
  auto root = sys::open(rootfs, O_RDONLY | O_DIRECTORY);
  if (!root) return root.error();
  auto target =
      sys::openat2(root->get(), container_path, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  if (!target) return {}; // missing: the runtime makes the directory
  struct stat st {};
  if (::fstat(target->get(), &st) == 0 && !S_ISDIR(st.st_mode))
    return make_error(errc::invalid_argument,
                      "cannot mount volume over existing file, file exists " + rootfs +
                          container_path);
  return {};
}

caf::error copy_up(const std::string& rootfs, const std::string& container_path,
                   const std::string& volume_data) {
  auto root = sys::open(rootfs, O_RDONLY | O_DIRECTORY);
  if (!root) return root.error();
  auto src = sys::openat2(root->get(), container_path, O_RDONLY | O_DIRECTORY,
                          RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  if (!src) return {}; // nothing there (or not a directory): nothing to copy
  auto dst = sys::open(volume_data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (!dst) return dst.error();
  auto existing = entries_of(dst->get());
  if (!existing) return existing.error();
  if (!existing->empty()) return {};
  struct stat st {};
  if (::fstat(src->get(), &st) != 0) return errno_error("stat", container_path);
  if (auto err = copy_tree(src->get(), dst->get(), 0)) return err;
  return copy_owner_mode_times(dst->get(), st);
}

} // namespace berth::storage
