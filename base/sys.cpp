// Checked system calls.
#include "base/sys.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/error.hpp"

namespace berth::sys {

caf::error error_from_errno(std::string_view call, std::string_view path, int err) {
  std::string msg{call};
  if (!path.empty()) {
    msg += ' ';
    msg += path;
  }
  msg += ": ";
  msg += std::strerror(err);
  errc kind = errc::system;
  switch (err) {
  case ENOENT:
    kind = errc::not_found;
    break;
  case EEXIST:
    kind = errc::conflict;
    break;
  case EACCES:
  case EPERM:
    kind = errc::forbidden;
    break;
  default:
    break;
  }
  return make_error(kind, std::move(msg));
}

caf::expected<unique_fd> open(const std::string& path, int flags, mode_t mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return error_from_errno("open", path, errno);
  return unique_fd{fd};
}

caf::expected<std::string> read_file(const std::string& path, size_t max_bytes) {
  auto fd = open(path, O_RDONLY);
  if (!fd) return fd.error();
  std::string out;
  char buf[8192];
  for (;;) {
    auto n = ::read(fd->get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return error_from_errno("read", path, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_bytes)
      return make_error(errc::invalid_argument,
                        "file " + path + " exceeds " + std::to_string(max_bytes) + " bytes");
  }
  return out;
}

caf::expected<unique_fd> openat2(int dirfd, const std::string& path, uint64_t flags,
                                 uint64_t resolve, mode_t mode) {
  struct open_how how {};
  how.flags = flags | O_CLOEXEC;
  how.mode = mode;
  how.resolve = resolve;
  // EAGAIN: RESOLVE_IN_ROOT/BENEATH saw a concurrent rename or mount and refused to guess.
  for (int attempt = 0;; ++attempt) {
    auto fd = ::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
    if (fd >= 0) return unique_fd{static_cast<int>(fd)};
    if ((errno == EAGAIN || errno == EINTR) && attempt < 16) continue;
    return error_from_errno("openat2", path, errno);
  }
}

caf::error write_all(int fd, std::string_view data, std::string_view path) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    auto n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return error_from_errno("write", path, errno);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return {};
}

namespace {

std::string parent_dir(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

} // namespace

caf::error write_file_atomic(const std::string& path, std::string_view data, mode_t mode) {
  auto tmp = path + ".tmp." + std::to_string(::getpid());
  auto fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (!fd) return fd.error();
  if (auto err = write_all(fd->get(), data, tmp)) {
    ::unlink(tmp.c_str());
    return err;
  }
  if (::fchmod(fd->get(), mode) != 0 || ::fsync(fd->get()) != 0) {
    auto err = error_from_errno("fsync", tmp, errno);
    ::unlink(tmp.c_str());
    return err;
  }
  fd->reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto err = error_from_errno("rename", path, errno);
    ::unlink(tmp.c_str());
    return err;
  }
  return sync_dir(parent_dir(path));
}

caf::error make_dirs(const std::string& path, mode_t mode) {
  if (path.empty()) return {};
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return {};
    return make_error(errc::conflict, "mkdir " + path + ": exists and is not a directory");
  }
  auto parent = parent_dir(path);
  if (parent != path)
    if (auto err = make_dirs(parent, mode)) return err;
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST)
    return error_from_errno("mkdir", path, errno);
  return {};
}

caf::error sync_dir(const std::string& path) {
  auto fd = open(path, O_RDONLY | O_DIRECTORY);
  if (!fd) return fd.error();
  if (::fsync(fd->get()) != 0) return error_from_errno("fsync", path, errno);
  return {};
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

caf::error remove(const std::string& path) {
  if (::unlink(path.c_str()) == 0 || errno == ENOENT) return {};
  if (errno == EISDIR || errno == EPERM) {
    if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return {};
  }
  return error_from_errno("remove", path, errno);
}

namespace {

int remove_entry(const char* path, const struct stat*, int type, struct FTW*) {
  int rc = (type == FTW_DP) ? ::rmdir(path) : ::unlink(path);
  return (rc == 0 || errno == ENOENT) ? 0 : errno;
}

} // namespace

caf::error remove_all(const std::string& path) {
  if (!exists(path)) return {};
  // FTW_PHYS: never follow symlinks; FTW_MOUNT: never descend into a mount (e.g. a live rootfs).
  int rc = ::nftw(path.c_str(), remove_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
  if (rc != 0) return error_from_errno("remove", path, rc > 0 ? rc : errno);
  return {};
}

namespace {

// Removes `name` in `dirfd`; `shown` names it in errors. Only descends into directories on `dev`.
caf::error remove_tree_at(int dirfd, const char* name, dev_t dev, const std::string& shown) {
  if (::unlinkat(dirfd, name, 0) == 0 || errno == ENOENT) return {};
  if (errno != EISDIR) return error_from_errno("remove", shown, errno);
  int fd = ::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return error_from_errno("open", shown, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_dev != dev) {
    ::close(fd);
    return make_error(errc::conflict, "remove " + shown + ": is on another filesystem");
  }
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    ::close(fd);
    return error_from_errno("opendir", shown, errno);
  }
  caf::error err;
  errno = 0;
  while (auto* ent = ::readdir(dir)) {
    std::string_view child{ent->d_name};
    if (child == "." || child == "..") continue;
    err = remove_tree_at(::dirfd(dir), ent->d_name, dev, shown + "/" + ent->d_name);
    if (err) break;
    errno = 0;
  }
  if (!err && errno != 0) err = error_from_errno("readdir", shown, errno);
  ::closedir(dir);
  if (err) return err;
  if (::unlinkat(dirfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
    return error_from_errno("rmdir", shown, errno);
  return {};
}

} // namespace

caf::expected<std::vector<std::string>> directory_entries(int dirfd, const std::string& path) {
  int copy = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return error_from_errno("dup", path, errno);
  DIR* dir = ::fdopendir(copy);
  if (dir == nullptr) {
    int e = errno;
    ::close(copy);
    return error_from_errno("fdopendir", path, e);
  }
  ::rewinddir(dir); // the duplicate shares the offset of `dirfd`
  std::vector<std::string> names;
  while (auto* ent = ::readdir(dir)) {
    std::string name = ent->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

caf::expected<std::string> read_link_at(int dirfd, const std::string& name,
                                        const std::string& path) {
  std::string target(256, '\0');
  for (;;) {
    auto n = ::readlinkat(dirfd, name.c_str(), target.data(), target.size());
    if (n < 0) return error_from_errno("readlink", path, errno);
    if (static_cast<size_t>(n) < target.size()) {
      target.resize(static_cast<size_t>(n));
      return target;
    }
    target.resize(target.size() * 2); // possibly cut: try again with more room
  }
}

caf::error remove_all_at(int dirfd, const std::string& name) {
  struct stat st {};
  if (::fstat(dirfd, &st) != 0) return error_from_errno("stat", name, errno);
  return remove_tree_at(dirfd, name.c_str(), st.st_dev, name);
}

} // namespace berth::sys
