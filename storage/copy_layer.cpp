// COPY/ADD into a fresh layer directory (see copy_layer.hpp).
#include "storage/copy_layer.hpp"

#include <cerrno>
#include <fcntl.h>
#include <map>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "storage/layer_view.hpp"
#include "storage/local_archive.hpp"
#include "storage/tar_writer.hpp" // file_capability

namespace berth::storage {

namespace {

std::string base_name(const std::string& path) {
  auto trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/')
    trimmed.pop_back();
  auto slash = trimmed.rfind('/');
  return slash == std::string::npos ? trimmed : trimmed.substr(slash + 1);
}

caf::error errno_error(std::string_view call, const std::string& path) {
  return sys::error_from_errno(call, path, errno);
}

/// Who owns what copy_tree writes: the request's owner, or (an unpacked archive) each entry's own.
using entry_owner = std::optional<copy_owner>;

copy_owner owner_of(const entry_owner& owner, const struct stat& st) {
  return owner ? *owner : copy_owner{st.st_uid, st.st_gid};
}

/// Owners of the directories a source creates on its way to the destination: dockerd's calls
/// differ by kind of source (see write_copy_layer).
struct created_dirs {
  copy_owner parents; ///< every created directory but the last
  copy_owner last;    ///< the destination directory itself
};

unique_fd open_dir_at(int dir_fd, const std::string& name) {
  return unique_fd{::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)};
}

// Creates the directory `name` in `dir_fd` with `st`'s mode, owner and times (a directory the
// image has there), or 0755 owned by `owner` when `st` is null.
caf::expected<unique_fd> make_dir(int dir_fd, const std::string& name, const struct stat* st,
                                  copy_owner owner, const std::string& path) {
  if (::mkdirat(dir_fd, name.c_str(), 0700) != 0) return errno_error("mkdir", path);
  auto fd = open_dir_at(dir_fd, name);
  if (!fd) return errno_error("open", path);
  if (st != nullptr) owner = {st->st_uid, st->st_gid};
  if (::fchown(fd.get(), owner.uid, owner.gid) != 0) return errno_error("chown", path);
  if (::fchmod(fd.get(), st != nullptr ? st->st_mode & 07777 : 0755) != 0)
    return errno_error("chmod", path);
  if (st != nullptr) {
    struct timespec times[2] = {st->st_atim, st->st_mtim};
    (void)::futimens(fd.get(), times);
  }
  return fd;
}

// Opens (creating what is missing) the directory `path` below `out_fd`. `path` was resolved in
// `view`, so no component of it is a symlink there: each one is a directory of the layer, a
// directory of the image (created in the layer with the image's mode, owner and time, as a
// copy-up would), or nothing yet (created for `owners`). Anything else on the way is an error,
// as dockerd's MkdirAll gives ("not a directory"); nothing is replaced and nothing followed.
caf::expected<unique_fd> make_dest_dir(int out_fd, const layer_view& view, const std::string& path,
                                       const created_dirs& owners) {
  unique_fd current{::fcntl(out_fd, F_DUPFD_CLOEXEC, 0)};
  if (!current) return errno_error("dup", path);
  auto parts = path_components(path);
  std::string walked;
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto& part = parts[i];
    walked += '/';
    walked += part;
    auto next = open_dir_at(current.get(), part);
    if (!next && errno != ENOENT)
      return sys::error_from_errno("mkdir", walked, errno == ELOOP ? ENOTDIR : errno);
    if (!next) {
      auto image = view.lstat(walked);
      if (image && !S_ISDIR(image->st_mode)) return sys::error_from_errno("mkdir", walked, ENOTDIR);
      auto made = make_dir(current.get(), part, image ? &*image : nullptr,
                           i + 1 == parts.size() ? owners.last : owners.parents, walked);
      if (!made) return made.error();
      next = std::move(*made);
    }
    current = std::move(next);
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
  if (auto err = finish_entry(to.get(), st, owner, path)) return err;
  // A file's capabilities travel with it, as in dockerd's tar round trip (after the chown, which
  // would drop them); a filesystem without the attribute copies the file without.
  for (const auto& [attr, value] : file_capability(from))
    if (::fsetxattr(to.get(), attr.c_str(), value.data(), value.size(), 0) != 0 && errno != ENOTSUP)
      return errno_error("setxattr", path);
  return {};
}

// One tree's copy: its owner rule, and the files with several names copied so far, so that
// their other names become hard links again (dockerd's tar round trip keeps hard links).
struct tree_copy {
  entry_owner owner;
  std::map<std::pair<dev_t, ino_t>, unique_fd> copies; ///< O_PATH descriptors of the copies
  static constexpr size_t max_tracked = 4096;          ///< beyond it, further names are copies
};

// Makes `name` in `dst_dir` a hard link to the copy of a file already copied, if there is one.
bool link_to_earlier_copy(const tree_copy& tree, const struct stat& st, int dst_dir,
                          const std::string& name) {
  if (st.st_nlink < 2) return false;
  auto earlier = tree.copies.find({st.st_dev, st.st_ino});
  if (earlier == tree.copies.end()) return false;
  if (sys::remove_all_at(dst_dir, name)) return false;
  return ::linkat(earlier->second.get(), "", dst_dir, name.c_str(), AT_EMPTY_PATH) == 0;
}

void remember_copy(tree_copy& tree, const struct stat& st, int dst_dir, const std::string& name) {
  if (st.st_nlink < 2 || tree.copies.size() >= tree_copy::max_tracked) return;
  unique_fd copy{::openat(dst_dir, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC)};
  if (copy) tree.copies.emplace(std::pair{st.st_dev, st.st_ino}, std::move(copy));
}

caf::error copy_tree(int src_dir, int dst_dir, const std::string& path, tree_copy& tree);

// Copies the entry `name` of `src_dir` (not followed) to the same name in `dst_dir`.
caf::error copy_entry(int src_dir, const std::string& name, int dst_dir, const std::string& path,
                      tree_copy& tree) {
  struct stat st {};
  if (::fstatat(src_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errno_error("stat", path);
  auto who = owner_of(tree.owner, st);
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
    if (auto err = copy_tree(from.get(), to.get(), path, tree)) return err;
    return finish_entry(to.get(), st, who, path);
  }
  if (S_ISREG(st.st_mode)) {
    if (link_to_earlier_copy(tree, st, dst_dir, name)) return {};
    unique_fd from{::openat(src_dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)};
    if (!from) return errno_error("open", path);
    if (auto err = copy_file(from.get(), st, dst_dir, name, who, path)) return err;
    remember_copy(tree, st, dst_dir, name);
    return {};
  }
  if (S_ISLNK(st.st_mode)) {
    auto target = sys::read_link_at(src_dir, name, path);
    if (!target) return target.error();
    if (auto err = sys::remove_all_at(dst_dir, name)) return err;
    if (::symlinkat(target->c_str(), dst_dir, name.c_str()) != 0)
      return errno_error("symlink", path);
    if (::fchownat(dst_dir, name.c_str(), who.uid, who.gid, AT_SYMLINK_NOFOLLOW) != 0)
      return errno_error("chown", path);
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    (void)::utimensat(dst_dir, name.c_str(), times, AT_SYMLINK_NOFOLLOW);
    return {};
  }
  if (S_ISFIFO(st.st_mode)) {
    if (auto err = sys::remove_all_at(dst_dir, name)) return err;
    if (::mkfifoat(dst_dir, name.c_str(), st.st_mode & 07777) != 0)
      return errno_error("mkfifo", path);
    (void)::fchownat(dst_dir, name.c_str(), who.uid, who.gid, AT_SYMLINK_NOFOLLOW);
    return {};
  }
  return {}; // devices (and unpacked whiteouts) and sockets are not copied
}

caf::error copy_tree(int src_dir, int dst_dir, const std::string& path, tree_copy& tree) {
  auto names = sys::directory_entries(src_dir, path);
  if (!names) return names.error();
  for (const auto& name : *names) {
    std::string child = path;
    child.push_back('/');
    child.append(name);
    if (auto err = copy_entry(src_dir, name, dst_dir, child, tree)) return err;
  }
  return {};
}

caf::error copy_tree(int src_dir, int dst_dir, const std::string& path, const entry_owner& owner) {
  tree_copy tree{owner, {}};
  return copy_tree(src_dir, dst_dir, path, tree);
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

/// What one COPY/ADD step writes to and resolves its destination in.
struct copy_target {
  const copy_layer_request& req;
  int out_fd;
  const layer_view& view; ///< the layer being written over the image's layers
};

caf::error copy_directory_source(const copy_target& to, const context_source& source) {
  auto from = open_in_root(to.req.source_root_fd, source.path, O_RDONLY | O_DIRECTORY);
  if (!from) return from.error();
  auto dest = to.view.resolve(to.req.dest);
  if (!dest) return dest.error();
  // dockerd's CopyWithTar creates the path root-owned, then chowns the destination directory
  // only (when it did not exist) with the rest of the copy.
  auto dir = make_dest_dir(to.out_fd, to.view, *dest, {{}, to.req.owner});
  if (!dir) return dir.error();
  return copy_tree(from->get(), dir->get(), source.path, to.req.owner);
}

// ADD of an archive: unpacked in the scratch directory, then copied with the archive's own
// owners, modes and times into the destination, whose missing directories are root's (dockerd's
// Untar ignores --chown).
caf::error unpack_archive_source(const copy_target& to, int archive_fd,
                                 const context_source& source) {
  auto unpacked = unpack_archive(archive_fd, to.req.scratch_dir, to.req.limits);
  if (!unpacked) {
    auto err = make_error(error_kind(unpacked.error()).value_or(errc::invalid_argument),
                          "failed to copy files: " + error_message(unpacked.error()));
    (void)empty_scratch(to.req);
    return err;
  }
  auto scratch = sys::open(to.req.scratch_dir, O_RDONLY | O_DIRECTORY);
  if (!scratch) return scratch.error();
  auto dest = to.view.resolve(to.req.dest);
  if (!dest) return dest.error();
  auto dir = make_dest_dir(to.out_fd, to.view, *dest, {});
  if (!dir) return dir.error();
  if (auto err = copy_tree(scratch->get(), dir->get(), source.path, std::nullopt)) return err;
  // Emptied for the next archive of the same ADD, which would otherwise unpack over this one's
  // files and copy them to `dest` a second time.
  return empty_scratch(to.req);
}

caf::error copy_file_source(const copy_target& to, const context_source& source) {
  const auto& req = to.req;
  auto from = open_in_root(req.source_root_fd, source.path, O_RDONLY);
  if (!from) return from.error();
  struct stat st {};
  if (::fstat(from->get(), &st) != 0) return errno_error("stat", source.path);
  if (!S_ISREG(st.st_mode)) return {}; // devices and sockets in a context are not copied
  if (req.extract_archives && is_tar_archive(from->get()))
    return unpack_archive_source(to, from->get(), source);
  auto target = to.view.resolve(req.dest);
  if (!target) return target.error();
  bool into_dir = req.dest.empty() || req.dest.back() == '/';
  if (!into_dir) {
    auto there = to.view.lstat(*target);
    into_dir = there && S_ISDIR(there->st_mode);
  }
  if (into_dir) {
    if (target->back() != '/') *target += '/';
    target->append(base_name(source.path));
  }
  auto slash = target->rfind('/');
  // dockerd's copyFile: MkdirAllAndChown with the owner, for the directories it creates only.
  auto parent = make_dest_dir(to.out_fd, to.view, target->substr(0, slash), {req.owner, req.owner});
  if (!parent) return parent.error();
  return copy_file(from->get(), st, parent->get(), target->substr(slash + 1), req.owner, *target);
}

} // namespace

caf::error write_copy_layer(const copy_layer_request& request) {
  auto out = sys::open(request.out_dir, O_RDONLY | O_DIRECTORY);
  if (!out) return out.error();
  std::vector<std::string> layers{request.out_dir};
  layers.insert(layers.end(), request.lower_dirs.begin(), request.lower_dirs.end());
  auto view = layer_view::open(layers);
  if (!view) return view.error();
  copy_target to{request, out->get(), *view};
  for (const auto& source : request.sources) {
    auto err = source.is_dir ? copy_directory_source(to, source) : copy_file_source(to, source);
    if (err) return err;
  }
  return {};
}

} // namespace berth::storage
