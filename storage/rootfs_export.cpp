// docker export: a root filesystem as a tar stream, walked through descriptors.
#include "storage/rootfs_export.hpp"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

#include <archive.h>
#include <archive_entry.h>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/sys.hpp"
#include "storage/archive_error.hpp"
#include "storage/archive_sink.hpp"

namespace berth::storage {

namespace {

using archive_ptr = std::unique_ptr<struct archive, decltype(&archive_write_free)>;
using entry_ptr = std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)>;

class exporter {
 public:
  explicit exporter(byte_sink& sink)
      : state_{&sink, {}}, a_(archive_write_new(), archive_write_free) {}

  caf::error run(int root_fd) {
    archive_write_set_format_pax_restricted(a_.get());
    archive_write_set_bytes_per_block(a_.get(), 0);
    if (archive_write_open(a_.get(), &state_, nullptr, write_to_sink, nullptr) != ARCHIVE_OK)
      return failure("open archive");
    struct stat root {};
    if (fstat(root_fd, &root) != 0) return sys::error_from_errno("stat", "/", errno);
    root_dev_ = root.st_dev;
    if (auto err = walk(root_fd, "")) return err;
    if (archive_write_close(a_.get()) != ARCHIVE_OK) return failure("finish archive");
    return {};
  }

 private:
  caf::error failure(const std::string& what) {
    if (state_.failure) return state_.failure;
    return make_error(errc::system, what + ": " + archive_message(a_.get(), "error"));
  }

  static caf::expected<std::vector<std::string>> names_in(int dirfd, const std::string& path) {
    return sys::directory_entries(dirfd, path);
  }

  entry_ptr entry_for(const std::string& name, const struct stat& st) {
    entry_ptr e(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_copy_stat(e.get(), &st);
    archive_entry_set_nlink(e.get(), 1);
    return e;
  }

  caf::error write_header(struct archive_entry* e, const std::string& name) {
    if (archive_write_header(a_.get(), e) != ARCHIVE_OK) return failure("write header " + name);
    return {};
  }

  caf::error write_file(int dirfd, const std::string& leaf, const std::string& name,
                        const struct stat& listed) {
    unique_fd fd(openat(dirfd, leaf.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd) {
      if (errno == ENOENT) return {}; // removed meanwhile
      return sys::error_from_errno("open", name, errno);
    }
    struct stat st {};
    if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return {};
    (void)listed;
    if (st.st_nlink > 1) {
      auto key = std::make_pair(st.st_dev, st.st_ino);
      auto [it, fresh] = links_.emplace(key, name);
      if (!fresh) {
        auto e = entry_for(name, st);
        archive_entry_set_size(e.get(), 0);
        archive_entry_set_hardlink(e.get(), it->second.c_str());
        return write_header(e.get(), name);
      }
    }
    auto e = entry_for(name, st);
    if (auto err = write_header(e.get(), name)) return err;
    // Exactly the size announced: a file that grows is cut, one that shrinks is padded.
    std::vector<char> buf(1 << 20);
    auto left = static_cast<uint64_t>(st.st_size);
    while (left > 0) {
      auto want = static_cast<size_t>(std::min<uint64_t>(left, buf.size()));
      auto n = ::read(fd.get(), buf.data(), want);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return sys::error_from_errno("read", name, errno);
      if (n == 0) {
        std::fill(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(want), '\0');
        n = static_cast<ssize_t>(want);
      }
      if (archive_write_data(a_.get(), buf.data(), static_cast<size_t>(n)) < 0)
        return failure("write data " + name);
      left -= static_cast<uint64_t>(n);
    }
    return {};
  }

  caf::error walk(int dirfd, const std::string& prefix) {
    auto names = names_in(dirfd, prefix.empty() ? "/" : prefix);
    if (!names) return names.error();
    for (const auto& leaf : *names) {
      auto name = prefix + leaf;
      struct stat st {};
      if (fstatat(dirfd, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;
        return sys::error_from_errno("stat", name, errno);
      }
      if (S_ISREG(st.st_mode)) {
        if (auto err = write_file(dirfd, leaf, name, st)) return err;
      } else if (S_ISDIR(st.st_mode)) {
        unique_fd child(
            openat(dirfd, leaf.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!child) {
          if (errno == ENOENT) continue;
          return sys::error_from_errno("open", name, errno);
        }
        if (fstat(child.get(), &st) != 0) return sys::error_from_errno("stat", name, errno);
        auto e = entry_for(name + "/", st);
        if (auto err = write_header(e.get(), name)) return err;
        if (st.st_dev != root_dev_) continue; // another filesystem mounted here: not ours
        if (auto err = walk(child.get(), name + "/")) return err;
      } else if (S_ISLNK(st.st_mode)) {
        std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
        auto n = readlinkat(dirfd, leaf.c_str(), target.data(), target.size());
        if (n < 0) {
          if (errno == ENOENT) continue;
          return sys::error_from_errno("readlink", name, errno);
        }
        target.resize(static_cast<size_t>(n));
        auto e = entry_for(name, st);
        archive_entry_set_size(e.get(), 0);
        archive_entry_set_symlink(e.get(), target.c_str());
        if (auto err = write_header(e.get(), name)) return err;
      } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
        auto e = entry_for(name, st);
        archive_entry_set_size(e.get(), 0);
        if (auto err = write_header(e.get(), name)) return err;
      }
      // Sockets have no tar form: skipped, as Go's archive/tar does.
    }
    return {};
  }

  archive_sink_state state_;
  archive_ptr a_;
  dev_t root_dev_ = 0;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
};

} // namespace

caf::error export_rootfs(int root_fd, byte_sink& out) {
  exporter e(out);
  return e.run(root_fd);
}

} // namespace berth::storage
