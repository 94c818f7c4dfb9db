// Creates a layer's files under one directory through descriptors, so nothing lands outside it.
#include "storage/layer_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "storage/kernel_filesystem.hpp"
#include "storage/layer_path.hpp"

namespace berth::storage {

namespace {

/// Parents are resolved inside the target as if it were "/"; /proc-style magic links never jump,
/// and a fresh layer directory has no mount points to cross (unless the scope allows it).
constexpr uint64_t in_root = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

std::string str(std::string_view s) {
  return std::string{s};
}

caf::error fail(std::string_view call, std::string_view name, int err) {
  return sys::error_from_errno(call, name, err);
}

bool times_set(const entry_meta& meta) {
  return meta.atime.tv_nsec != UTIME_OMIT || meta.mtime.tv_nsec != UTIME_OMIT;
}

/// Whether a failed setxattr is one to skip, as dockerd does: the filesystem or the attribute's
/// namespace does not support it here (e.g. user.* on a symlink).
bool xattr_unsupported(int err) {
  return err == ENOTSUP || err == EPERM;
}

caf::error xattr_error(std::string_view attr, std::string_view name, int err) {
  return fail("setxattr " + str(attr), name, err);
}

} // namespace

layer_writer::layer_writer(unique_fd root, writer_scope scope)
    : root_(std::move(root)), scope_(scope),
      resolve_(in_root | (scope.cross_mounts ? 0 : RESOLVE_NO_XDEV)) {}

caf::expected<layer_writer> layer_writer::open(const std::string& target_dir) {
  auto root = sys::open(target_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (!root) return root.error();
  return layer_writer{std::move(*root), writer_scope{}};
}

caf::expected<layer_writer> layer_writer::open_at(unique_fd root, writer_scope scope) {
  struct stat st {};
  if (::fstat(root.get(), &st) != 0) return fail("stat", "/", errno);
  if (!S_ISDIR(st.st_mode)) return fail("open", "/", ENOTDIR);
  return layer_writer{std::move(root), scope};
}

caf::error layer_writer::add_directory(const std::string& name, const entry_meta& meta) {
  if (name.empty()) return apply_meta(root_.get(), name, meta, true);
  auto at = locate(name);
  if (!at) return at.error();
  const char* leaf = at->leaf.c_str();
  if (::mkdirat(at->parent, leaf, 0700) != 0) {
    if (errno != EEXIST) return fail("mkdir", name, errno);
    struct stat st {};
    if (::fstatat(at->parent, leaf, &st, AT_SYMLINK_NOFOLLOW) != 0)
      return fail("stat", name, errno);
    if (!S_ISDIR(st.st_mode)) {
      if (auto err = clear(at->parent, at->leaf, name)) return err;
      if (::mkdirat(at->parent, leaf, 0700) != 0) return fail("mkdir", name, errno);
    }
  }
  unique_fd dir{::openat(at->parent, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)};
  if (!dir) return fail("open", name, errno);
  if (auto err = check_filesystem(dir.get(), name)) return err; // a kernel filesystem mounted here
  return apply_meta(dir.get(), name, meta, true);
}

caf::expected<unique_fd> layer_writer::create_file(const std::string& name) {
  auto at = locate(name);
  if (!at) return at.error();
  constexpr int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  unique_fd fd{::openat(at->parent, at->leaf.c_str(), flags, 0600)};
  if (!fd && errno == EEXIST) {
    if (auto err = clear(at->parent, at->leaf, name)) return err;
    fd.reset(::openat(at->parent, at->leaf.c_str(), flags, 0600));
  }
  if (!fd) return fail("create", name, errno);
  return fd;
}

caf::error layer_writer::finish_file(int fd, const std::string& name, const entry_meta& meta) {
  if (auto err = apply_meta(fd, name, meta, false)) return err;
  if (!times_set(meta)) return {};
  const timespec times[2] = {meta.atime, meta.mtime};
  if (::futimens(fd, times) != 0) return fail("utimensat", name, errno);
  return {};
}

caf::error layer_writer::add_symlink(const std::string& name, const std::string& target,
                                     const entry_meta& meta) {
  if (symlink_escapes(name, target))
    return make_error(errc::invalid_argument,
                      "symlink " + name + " -> " + target + " points outside the layer (breakout)");
  auto at = locate(name);
  if (!at) return at.error();
  if (::symlinkat(target.c_str(), at->parent, at->leaf.c_str()) != 0) {
    if (errno != EEXIST) return fail("symlink", name, errno);
    if (auto err = clear(at->parent, at->leaf, name)) return err;
    if (::symlinkat(target.c_str(), at->parent, at->leaf.c_str()) != 0)
      return fail("symlink", name, errno);
  }
  if (::fchownat(at->parent, at->leaf.c_str(), meta.uid, meta.gid, AT_SYMLINK_NOFOLLOW) != 0)
    return fail("lchown", name, errno);
  if (auto err = set_xattrs_at(at->parent, at->leaf, name, meta)) return err;
  return set_times_at(at->parent, at->leaf, name, meta);
}

caf::error layer_writer::add_hardlink(const std::string& name, const std::string& target) {
  auto link_error = [&](const std::string& why) {
    return make_error(errc::invalid_argument, "hardlink " + name + " -> " + target + ": " + why);
  };
  if (target.empty()) return link_error("cannot link to the layer root");
  // The target must be a file this layer created: no symlink anywhere on the way to it.
  auto source =
      sys::openat2(root_.get(), target, O_PATH | O_NOFOLLOW, resolve_ | RESOLVE_NO_SYMLINKS);
  if (!source) {
    if (error_kind(source.error()) == errc::not_found)
      return link_error("the target is not in the layer");
    return link_error(error_message(source.error()));
  }
  struct stat target_st {};
  if (::fstat(source->get(), &target_st) != 0) return fail("stat", target, errno);
  if (S_ISDIR(target_st.st_mode)) return link_error("the target is a directory");
  auto at = locate(name);
  if (!at) return at.error();
  struct stat st {};
  if (::fstatat(at->parent, at->leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      st.st_dev == target_st.st_dev && st.st_ino == target_st.st_ino)
    return {}; // already that file (e.g. a link to itself)
  auto link = [&] {
    return ::linkat(source->get(), "", at->parent, at->leaf.c_str(), AT_EMPTY_PATH);
  };
  if (link() != 0) {
    if (errno != EEXIST) return fail("link", name, errno);
    if (auto err = clear(at->parent, at->leaf, name)) return err;
    if (link() != 0) return fail("link", name, errno);
  }
  return {};
}

caf::error layer_writer::add_fifo(const std::string& name, const entry_meta& meta) {
  auto at = locate(name);
  if (!at) return at.error();
  const char* leaf = at->leaf.c_str();
  if (::mknodat(at->parent, leaf, S_IFIFO | 0600, 0) != 0) {
    if (errno != EEXIST) return fail("mknod", name, errno);
    if (auto err = clear(at->parent, at->leaf, name)) return err;
    if (::mknodat(at->parent, leaf, S_IFIFO | 0600, 0) != 0) return fail("mknod", name, errno);
  }
  if (::fchownat(at->parent, leaf, meta.uid, meta.gid, AT_SYMLINK_NOFOLLOW) != 0)
    return fail("lchown", name, errno);
  if (::fchmodat(at->parent, leaf, meta.mode & 07777, AT_SYMLINK_NOFOLLOW) != 0)
    return fail("chmod", name, errno);
  if (auto err = set_xattrs_at(at->parent, at->leaf, name, meta)) return err;
  return set_times_at(at->parent, at->leaf, name, meta);
}

caf::error layer_writer::add_whiteout(std::string_view dir, std::string_view hidden,
                                      const entry_meta& meta) {
  auto name = dir.empty() ? str(hidden) : str(dir) + "/" + str(hidden);
  if (hidden.empty() || hidden == "." || hidden == ".." ||
      hidden.find('/') != std::string_view::npos)
    return make_error(errc::invalid_argument, "invalid whiteout for \"" + name + "\"");
  auto at = locate(name);
  if (!at) return at.error();
  const char* leaf = at->leaf.c_str();
  if (::mknodat(at->parent, leaf, S_IFCHR, makedev(0, 0)) != 0) {
    if (errno != EEXIST) return fail("mknod", name, errno);
    if (auto err = clear(at->parent, at->leaf, name)) return err;
    if (::mknodat(at->parent, leaf, S_IFCHR, makedev(0, 0)) != 0) return fail("mknod", name, errno);
  }
  if (::fchownat(at->parent, leaf, meta.uid, meta.gid, AT_SYMLINK_NOFOLLOW) != 0)
    return fail("lchown", name, errno);
  return {};
}

caf::error layer_writer::set_opaque(std::string_view dir) {
  auto fd = open_parent(dir, dir);
  if (!fd) return fd.error();
  if (::fsetxattr(*fd, "trusted.overlay.opaque", "y", 1, 0) != 0)
    return xattr_error("trusted.overlay.opaque", dir.empty() ? "/" : dir, errno);
  return {};
}

caf::error layer_writer::finish() {
  // Setting a directory's times does not touch its parent's, so any order works once every entry
  // exists; deepest first keeps the intent obvious.
  auto depth = [](const std::string& name) {
    return name.empty() ? 0 : 1 + std::count(name.begin(), name.end(), '/');
  };
  std::stable_sort(dirs_.begin(), dirs_.end(),
                   [&](const auto& a, const auto& b) { return depth(a.name) > depth(b.name); });
  for (auto& dir : dirs_) {
    unique_fd owned;
    int fd = root_.get();
    if (!dir.name.empty()) {
      auto opened =
          sys::openat2(root_.get(), dir.name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, resolve_);
      if (!opened) continue; // replaced by a later entry
      owned = std::move(*opened);
      fd = owned.get();
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) return fail("stat", dir.name, errno);
    if (st.st_dev != dir.dev || st.st_ino != dir.ino) continue; // replaced by a later entry
    if (::futimens(fd, dir.times) != 0) return fail("utimensat", dir.name, errno);
  }
  dirs_.clear();
  return {};
}

caf::expected<layer_writer::leaf_ref> layer_writer::locate(std::string_view name) {
  if (name.empty())
    return make_error(errc::invalid_argument,
                      "archive entry for the layer root must be a directory");
  auto [dir, leaf] = split_entry_name(name);
  auto parent = open_parent(dir, name);
  if (!parent) return parent.error();
  return leaf_ref{*parent, str(leaf)};
}

caf::expected<int> layer_writer::open_parent(std::string_view dir, std::string_view name) {
  if (dir.empty()) return root_.get();
  // Entries come grouped by directory: most lookups are for the previous entry's directory.
  if (cache_valid_ && dir == cached_path_) return cached_parent_.get();
  auto fd = sys::openat2(root_.get(), str(dir), O_RDONLY | O_DIRECTORY, resolve_);
  if (!fd && error_kind(fd.error()) == errc::not_found) fd = make_parents(dir, name);
  if (!fd) return fd.error();
  if (auto err = check_filesystem(fd->get(), name)) return err;
  cached_parent_ = std::move(*fd);
  cached_path_.assign(dir);
  cache_valid_ = true;
  return cached_parent_.get();
}

caf::expected<unique_fd> layer_writer::make_parents(std::string_view dir, std::string_view name) {
  // Resolve ever longer prefixes in the root until one is missing, then create the rest one
  // component at a time under the last directory found.
  unique_fd current;
  bool creating = false;
  for (size_t pos = 0; pos < dir.size();) {
    auto slash = std::min(dir.find('/', pos), dir.size());
    auto prefix = str(dir.substr(0, slash));
    auto part = str(dir.substr(pos, slash - pos));
    pos = slash + 1;
    if (!creating) {
      auto fd = sys::openat2(root_.get(), prefix, O_RDONLY | O_DIRECTORY, resolve_);
      if (fd) {
        current = std::move(*fd);
        continue;
      }
      if (error_kind(fd.error()) != errc::not_found) return fd.error();
      creating = true;
    }
    int at = current ? current.get() : root_.get();
    if (auto err = check_filesystem(at, name)) return err;
    if (::mkdirat(at, part.c_str(), 0755) != 0) {
      if (errno == EEXIST)
        return make_error(errc::invalid_argument,
                          "cannot create directory " + prefix + " for " + str(name) +
                              ": it exists and is not a directory inside the layer");
      return fail("mkdir", prefix, errno);
    }
    unique_fd next{::openat(at, part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)};
    if (!next) return fail("open", prefix, errno);
    if (::fchmod(next.get(), 0755) != 0) return fail("chmod", prefix, errno); // not the umask's
    current = std::move(next);
  }
  return current;
}

caf::error layer_writer::clear(int parent, const std::string& leaf, std::string_view name) {
  // The removed entry may be (an ancestor of) the cached parent: resolve afresh next time. The
  // descriptor itself stays open, since `parent` may be it.
  cache_valid_ = false;
  if (auto err = sys::remove_all_at(parent, leaf))
    return make_error(errc::system, "replacing " + str(name) + ": " + error_message(err));
  return {};
}

caf::error layer_writer::check_filesystem(int dir, std::string_view name) const {
  if (!scope_.refuse_kernel_filesystems || !on_kernel_filesystem(dir)) return {};
  return make_error(errc::invalid_argument,
                    "cannot write " + str(name) + ": its directory is on a kernel filesystem");
}

caf::error layer_writer::apply_meta(int fd, std::string_view name, const entry_meta& meta,
                                    bool is_dir) {
  // Owner before mode: chown clears setuid/setgid. Attributes after chown, which drops
  // security.capability.
  if (::fchown(fd, meta.uid, meta.gid) != 0) return fail("chown", name, errno);
  if (::fchmod(fd, meta.mode & 07777) != 0) return fail("chmod", name, errno);
  for (const auto& [attr, value] : meta.xattrs)
    if (::fsetxattr(fd, attr.c_str(), value.data(), value.size(), 0) != 0 &&
        !xattr_unsupported(errno))
      return xattr_error(attr, name, errno);
  if (is_dir && times_set(meta)) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return fail("stat", name, errno);
    dirs_.push_back({str(name), st.st_dev, st.st_ino, {meta.atime, meta.mtime}});
  }
  return {};
}

caf::error layer_writer::set_xattrs_at(int parent, const std::string& leaf, std::string_view name,
                                       const entry_meta& meta) {
  if (meta.xattrs.empty()) return {};
  // Symlinks and FIFOs cannot be opened for fsetxattr: name them through the parent's descriptor,
  // which /proc resolves to that very directory; lsetxattr does not follow the last component.
  auto path = "/proc/self/fd/" + std::to_string(parent) + "/" + leaf;
  for (const auto& [attr, value] : meta.xattrs)
    if (::lsetxattr(path.c_str(), attr.c_str(), value.data(), value.size(), 0) != 0 &&
        !xattr_unsupported(errno))
      return xattr_error(attr, name, errno);
  return {};
}

caf::error layer_writer::set_times_at(int parent, const std::string& leaf, std::string_view name,
                                      const entry_meta& meta) {
  if (!times_set(meta)) return {};
  const timespec times[2] = {meta.atime, meta.mtime};
  if (::utimensat(parent, leaf.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
    return fail("utimensat", name, errno);
  return {};
}

} // namespace berth::storage
