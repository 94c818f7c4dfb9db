// docker export: a root filesystem as a tar stream, walked through descriptors.
#include "storage/rootfs_export.hpp"

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/sys.hpp"
#include "storage/tar_writer.hpp"

namespace berth::storage {

namespace {

class exporter {
 public:
  explicit exporter(byte_sink& sink) : tar_(sink) {}

  caf::error run(int root_fd) {
    if (auto err = tar_.open()) return err;
    struct stat root {};
    if (fstat(root_fd, &root) != 0) return sys::error_from_errno("stat", "/", errno);
    root_dev_ = root.st_dev;
    if (auto err = walk(root_fd, "")) return err;
    return tar_.close();
  }

 private:
  caf::error write_file(int dirfd, const std::string& leaf, const std::string& name) {
    unique_fd fd(openat(dirfd, leaf.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd) {
      if (errno == ENOENT) return {}; // removed meanwhile
      return sys::error_from_errno("open", name, errno);
    }
    struct stat st {};
    if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return {};
    return tar_.add_file_or_hardlink(name, st, fd.get());
  }

  caf::error walk(int dirfd, const std::string& prefix) {
    auto names = sys::directory_entries(dirfd, prefix.empty() ? "/" : prefix);
    if (!names) return names.error();
    for (const auto& leaf : *names) {
      auto name = prefix + leaf;
      struct stat st {};
      if (fstatat(dirfd, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;
        return sys::error_from_errno("stat", name, errno);
      }
      if (S_ISREG(st.st_mode)) {
        if (auto err = write_file(dirfd, leaf, name)) return err;
      } else if (S_ISDIR(st.st_mode)) {
        unique_fd child(
            openat(dirfd, leaf.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!child) {
          if (errno == ENOENT) continue;
          return sys::error_from_errno("open", name, errno);
        }
        if (fstat(child.get(), &st) != 0) return sys::error_from_errno("stat", name, errno);
        if (auto err = tar_.add_directory(name + "/", st)) return err;
        if (st.st_dev != root_dev_) continue; // another filesystem mounted here: not ours
        if (auto err = walk(child.get(), name + "/")) return err;
      } else if (S_ISLNK(st.st_mode)) {
        auto target = sys::read_link_at(dirfd, leaf, name);
        if (!target) {
          if (error_kind(target.error()) == errc::not_found) continue;
          return target.error();
        }
        if (auto err = tar_.add_symlink(name, st, *target)) return err;
      } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
        if (auto err = tar_.add_special(name, st)) return err;
      }
      // Sockets have no tar form: skipped, as Go's archive/tar does.
    }
    return {};
  }

  tar_writer tar_;
  dev_t root_dev_ = 0;
};

} // namespace

caf::error export_rootfs(int root_fd, byte_sink& out) {
  exporter e(out);
  return e.run(root_fd);
}

} // namespace berth::storage
