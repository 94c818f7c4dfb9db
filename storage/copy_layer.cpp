// COPY/ADD into a fresh layer directory (see copy_layer.hpp).
#include "storage/copy_layer.hpp"

#include <cerrno>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/sys.hpp"

namespace berth::storage {

namespace {

std::string base_name(const std::string& path) {
  auto trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/')
    trimmed.pop_back();
  auto slash = trimmed.rfind('/');
  return slash == std::string::npos ? trimmed : trimmed.substr(slash + 1);
}

// "a/b/c" without empty or "." components.
std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= path.size()) {
    auto j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    auto part = path.substr(i, j - i);
    if (!part.empty() && part != ".") out.push_back(part);
    i = j + 1;
  }
  return out;
}

caf::error errno_error(std::string_view call, const std::string& path) {
  return sys::error_from_errno(call, path, errno);
}

// The metadata of `path` in the top-most layer holding it, if any.
std::optional<struct stat> stat_in_layers(const std::vector<std::string>& lower_dirs,
                                          const std::string& path) {
  auto first = path.find_first_not_of('/');
  std::string rel = first == std::string::npos ? std::string{"."} : path.substr(first);
  for (const auto& lower : lower_dirs) {
    auto root = sys::open(lower, O_PATH | O_DIRECTORY);
    if (!root) continue;
    auto fd = sys::openat2(root->get(), rel, O_PATH, RESOLVE_IN_ROOT);
    if (!fd) continue;
    struct stat st {};
    if (::fstat(fd->get(), &st) != 0) continue;
    if (S_ISCHR(st.st_mode) && st.st_rdev == 0) return std::nullopt; // a whiteout hides it
    return st;
  }
  return std::nullopt;
}

// Opens (creating) the directory `rel` below `out_fd`: existing non-directories on the way are
// replaced; a directory the image has keeps its mode, owner and time.
caf::expected<unique_fd> make_out_dir(int out_fd, const std::string& rel,
                                      const std::vector<std::string>& lower_dirs) {
  unique_fd current{::dup(out_fd)};
  if (!current) return errno_error("dup", rel);
  std::string walked;
  for (const auto& part : components(rel)) {
    walked.push_back('/');
    walked.append(part);
    int fd = ::openat(current.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP) return errno_error("open", walked);
      if (errno != ENOENT)
        if (auto err = sys::remove_all_at(current.get(), part)) return err;
      auto below = stat_in_layers(lower_dirs, walked);
      bool keep = below && S_ISDIR(below->st_mode);
      if (::mkdirat(current.get(), part.c_str(), keep ? (below->st_mode & 07777) : 0755) != 0)
        return errno_error("mkdir", walked);
      fd = ::openat(current.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return errno_error("open", walked);
      if (keep) {
        if (::fchown(fd, below->st_uid, below->st_gid) != 0 ||
            ::fchmod(fd, below->st_mode & 07777) != 0) {
          auto err = errno_error("chown", walked);
          ::close(fd);
          return err;
        }
        struct timespec times[2] = {below->st_atim, below->st_mtim};
        (void)::futimens(fd, times);
      }
    }
    current = unique_fd{fd};
  }
  return current;
}

caf::error copy_contents(int from, int to, const std::string& path) {
  for (;;) {
    auto n = ::copy_file_range(from, nullptr, to, nullptr, 1 << 30, 0);
    if (n == 0) return {};
    if (n > 0) continue;
    if (errno == EINTR) continue;
    if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
      return errno_error("copy", path);
    break;
  }
  char buf[1 << 16];
  for (;;) {
    auto n = ::read(from, buf, sizeof buf);
    if (n == 0) return {};
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("read", path);
    }
    if (auto err = sys::write_all(to, std::string_view{buf, static_cast<size_t>(n)}, path))
      return err;
  }
}

caf::error finish_entry(int fd, const struct stat& st, const copy_owner& owner,
                        const std::string& path) {
  if (::fchown(fd, owner.uid, owner.gid) != 0) return errno_error("chown", path);
  if (::fchmod(fd, st.st_mode & 07777) != 0) return errno_error("chmod", path); // after chown
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (::futimens(fd, times) != 0) return errno_error("utimes", path);
  return {};
}

// Copies the open file `from` (metadata `st`) to `name` in `dir_fd`, replacing what was there.
caf::error copy_file(int from, const struct stat& st, int dir_fd, const std::string& name,
                     const copy_owner& owner, const std::string& path) {
  if (auto err = sys::remove_all_at(dir_fd, name)) return err;
  unique_fd to{::openat(dir_fd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        st.st_mode & 0777)};
  if (!to) return errno_error("create", path);
  if (auto err = copy_contents(from, to.get(), path)) return err;
  return finish_entry(to.get(), st, owner, path);
}

caf::error copy_tree(int src_dir, int dst_dir, const std::string& path, const copy_owner& owner);

// Copies the entry `name` of `src_dir` (not followed) to the same name in `dst_dir`.
caf::error copy_entry(int src_dir, const std::string& name, int dst_dir, const std::string& path,
                      const copy_owner& owner) {
  struct stat st {};
  if (::fstatat(src_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errno_error("stat", path);
  if (S_ISDIR(st.st_mode)) {
    int existing = ::openat(dst_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (existing < 0) {
      if (auto err = sys::remove_all_at(dst_dir, name)) return err;
      if (::mkdirat(dst_dir, name.c_str(), 0700) != 0) return errno_error("mkdir", path);
      existing = ::openat(dst_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (existing < 0) return errno_error("open", path);
    }
    unique_fd to{existing};
    unique_fd from{
        ::openat(src_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)};
    if (!from) return errno_error("open", path);
    if (auto err = copy_tree(from.get(), to.get(), path, owner)) return err;
    return finish_entry(to.get(), st, owner, path);
  }
  if (S_ISREG(st.st_mode)) {
    unique_fd from{::openat(src_dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)};
    if (!from) return errno_error("open", path);
    return copy_file(from.get(), st, dst_dir, name, owner, path);
  }
  if (S_ISLNK(st.st_mode)) {
    auto target = sys::read_link_at(src_dir, name, path);
    if (!target) return target.error();
    if (auto err = sys::remove_all_at(dst_dir, name)) return err;
    if (::symlinkat(target->c_str(), dst_dir, name.c_str()) != 0)
      return errno_error("symlink", path);
    if (::fchownat(dst_dir, name.c_str(), owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW) != 0)
      return errno_error("chown", path);
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    (void)::utimensat(dst_dir, name.c_str(), times, AT_SYMLINK_NOFOLLOW);
    return {};
  }
  if (S_ISFIFO(st.st_mode)) {
    if (auto err = sys::remove_all_at(dst_dir, name)) return err;
    if (::mkfifoat(dst_dir, name.c_str(), st.st_mode & 07777) != 0)
      return errno_error("mkfifo", path);
    (void)::fchownat(dst_dir, name.c_str(), owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW);
    return {};
  }
  return {}; // devices (and unpacked whiteouts) and sockets are not copied
}

caf::error copy_tree(int src_dir, int dst_dir, const std::string& path, const copy_owner& owner) {
  auto names = sys::directory_entries(src_dir, path);
  if (!names) return names.error();
  for (const auto& name : *names) {
    std::string child = path;
    child.push_back('/');
    child.append(name);
    if (auto err = copy_entry(src_dir, name, dst_dir, child, owner)) return err;
  }
  return {};
}

caf::error empty_scratch(const copy_layer_request& req) {
  auto scratch = sys::open(req.scratch_dir, O_RDONLY | O_DIRECTORY);
  if (!scratch) return scratch.error();
  auto names = sys::directory_entries(scratch->get(), req.scratch_dir);
  if (!names) return names.error();
  for (const auto& name : *names)
    if (auto err = sys::remove_all_at(scratch->get(), name)) return err;
  return {};
}

// ADD: unpacks `path` into the scratch directory when it is an archive; false when it is not.
caf::expected<bool> unpack_if_archive(const copy_layer_request& req, const std::string& path) {
  auto fd = open_in_root(req.source_root_fd, path, O_RDONLY);
  if (!fd) return fd.error();
  fd_source source{std::move(*fd), path};
  auto unpacked = unpack_layer(source, req.scratch_dir, req.limits, false);
  if (unpacked && unpacked->entries > 0) return true;
  // Not an archive (or an unreadable one, which dockerd copies as a file too): start over clean.
  if (auto err = empty_scratch(req)) return err;
  return false;
}

caf::error copy_directory_source(int out_fd, int from_dir, const std::string& dest,
                                 const copy_layer_request& req, const std::string& path) {
  auto to = make_out_dir(out_fd, dest, req.lower_dirs);
  if (!to) return to.error();
  return copy_tree(from_dir, to->get(), path, req.owner);
}

caf::error copy_source(int out_fd, const context_source& source, const copy_layer_request& req) {
  if (source.is_dir) {
    auto from = open_in_root(req.source_root_fd, source.path, O_RDONLY | O_DIRECTORY);
    if (!from) return from.error();
    return copy_directory_source(out_fd, from->get(), req.dest, req, source.path);
  }
  if (req.extract_archives) {
    auto archive = unpack_if_archive(req, source.path);
    if (!archive) return archive.error();
    if (*archive) {
      auto scratch = sys::open(req.scratch_dir, O_RDONLY | O_DIRECTORY);
      if (!scratch) return scratch.error();
      if (auto err = copy_directory_source(out_fd, scratch->get(), req.dest, req, source.path))
        return err;
      // Emptied for the next archive of the same ADD, which would otherwise unpack over this
      // one's files and copy them to `dest` a second time.
      return empty_scratch(req);
    }
  }
  auto from = open_in_root(req.source_root_fd, source.path, O_RDONLY);
  if (!from) return from.error();
  struct stat st {};
  if (::fstat(from->get(), &st) != 0) return errno_error("stat", source.path);
  if (!S_ISREG(st.st_mode)) return {}; // devices and sockets in a context are not copied
  std::string target = req.dest;
  if (target.empty() || target.back() == '/' || is_dir_in_layers(req.lower_dirs, target)) {
    if (target.empty() || target.back() != '/') target += '/';
    target.append(base_name(source.path));
  }
  auto slash = target.rfind('/');
  auto parent = make_out_dir(out_fd, target.substr(0, slash), req.lower_dirs);
  if (!parent) return parent.error();
  return copy_file(from->get(), st, parent->get(), target.substr(slash + 1), req.owner, target);
}

} // namespace

bool is_dir_in_layers(const std::vector<std::string>& lower_dirs, const std::string& path) {
  auto st = stat_in_layers(lower_dirs, path);
  return st && S_ISDIR(st->st_mode);
}

caf::error write_copy_layer(const copy_layer_request& request) {
  auto out = sys::open(request.out_dir, O_RDONLY | O_DIRECTORY);
  if (!out) return out.error();
  for (const auto& source : request.sources)
    if (auto err = copy_source(out->get(), source, request)) return err;
  return {};
}

} // namespace berth::storage
