// A tar stream written entry by entry into a byte_sink.
#include "storage/tar_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <map>
#include <string_view>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "storage/archive_error.hpp"
#include "storage/archive_sink.hpp"

namespace berth::storage {

namespace {

using archive_ptr = std::unique_ptr<struct archive, decltype(&archive_write_free)>;
using entry_ptr = std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)>;

constexpr const char* capability_xattr = "security.capability";

/// Leaves in `e` only the times that `times` keeps.
void keep_times(struct archive_entry* e, tar_header_times times) {
  if (times != tar_header_times::mtime_whole_seconds) return;
  archive_entry_set_mtime(e, archive_entry_mtime(e), 0);
  archive_entry_unset_atime(e);
  archive_entry_unset_ctime(e);
  archive_entry_unset_birthtime(e);
}

entry_ptr entry_for(const std::string& name, const struct stat& st, tar_header_times times) {
  entry_ptr e(archive_entry_new(), archive_entry_free);
  archive_entry_set_pathname(e.get(), name.c_str());
  archive_entry_copy_stat(e.get(), &st);
  archive_entry_set_nlink(e.get(), 1);
  keep_times(e.get(), times);
  return e;
}

entry_ptr entry_for(const std::string& name, unsigned type, const tar_metadata& meta,
                    tar_header_times times) {
  entry_ptr e(archive_entry_new(), archive_entry_free);
  archive_entry_set_pathname(e.get(), name.c_str());
  archive_entry_set_filetype(e.get(), type);
  archive_entry_set_perm(e.get(), meta.mode & 07777);
  archive_entry_set_uid(e.get(), meta.uid);
  archive_entry_set_gid(e.get(), meta.gid);
  archive_entry_set_mtime(e.get(), meta.mtime.tv_sec, meta.mtime.tv_nsec);
  keep_times(e.get(), times);
  return e;
}

void add_xattrs(struct archive_entry* e, const tar_xattrs& xattrs) {
  for (const auto& [attr, value] : xattrs)
    archive_entry_xattr_add_entry(e, attr.c_str(), value.data(), value.size());
}

} // namespace

tar_xattrs file_capability(int fd) {
  char value[256];
  auto n = ::fgetxattr(fd, capability_xattr, value, sizeof value);
  if (n <= 0) return {};
  return {{capability_xattr, std::string(value, static_cast<size_t>(n))}};
}

struct tar_writer::state {
  archive_sink_state sink;
  archive_ptr a{archive_write_new(), archive_write_free};
  std::vector<char> buffer; ///< file contents on their way, allocated by the first file
  /// The first name of each file with more links written by add_file_or_hardlink.
  std::map<std::pair<dev_t, ino_t>, std::string> first_names;
};

tar_writer::tar_writer(byte_sink& out, tar_header_times times)
    : state_(std::make_unique<state>()), times_(times) {
  state_->sink.sink = &out;
}

tar_writer::~tar_writer() = default;

caf::error tar_writer::failure(const std::string& what) {
  if (state_->sink.failure) return state_->sink.failure;
  return make_error(errc::system, what + ": " + archive_message(state_->a.get(), "error"));
}

caf::error tar_writer::write_header(struct archive_entry* e, const std::string& name) {
  if (archive_write_header(state_->a.get(), e) != ARCHIVE_OK)
    return failure("write header " + name);
  ++entries_;
  return {};
}

caf::error tar_writer::open() {
  auto* a = state_->a.get();
  archive_write_set_format_pax_restricted(a);
  archive_write_set_bytes_per_block(a, 0);
  if (archive_write_open(a, &state_->sink, nullptr, write_to_sink, nullptr) != ARCHIVE_OK)
    return failure("open archive");
  return {};
}

caf::error tar_writer::add_directory(const std::string& name, const struct stat& st,
                                     const tar_xattrs& xattrs) {
  auto e = entry_for(name, st, times_);
  archive_entry_set_size(e.get(), 0);
  add_xattrs(e.get(), xattrs);
  return write_header(e.get(), name);
}

caf::error tar_writer::write_contents(const std::string& name, uint64_t size,
                                      const content_reader& read, when_short if_short) {
  // One buffer for the whole stream: an export or a commit writes thousands of small files.
  auto& buf = state_->buffer;
  if (buf.empty()) buf.resize(1 << 20);
  auto left = size;
  while (left > 0) {
    auto want = static_cast<size_t>(std::min<uint64_t>(left, buf.size()));
    auto n = read(buf.data(), want);
    if (!n) return n.error();
    if (*n == 0) {
      if (if_short == when_short::fail)
        return make_error(errc::internal, name + ": contents end after " +
                                              std::to_string(size - left) + " of " +
                                              std::to_string(size) + " bytes");
      std::fill(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(want), '\0');
      *n = want;
    }
    if (archive_write_data(state_->a.get(), buf.data(), *n) < 0)
      return failure("write data " + name);
    left -= *n;
  }
  return {};
}

caf::error tar_writer::add_file(const std::string& name, const struct stat& st, int fd,
                                const tar_xattrs& xattrs) {
  auto e = entry_for(name, st, times_);
  add_xattrs(e.get(), xattrs);
  if (auto err = write_header(e.get(), name)) return err;
  auto read = [&](char* buf, size_t n) -> caf::expected<size_t> {
    for (;;) {
      auto got = ::read(fd, buf, n);
      if (got >= 0) return static_cast<size_t>(got);
      if (errno != EINTR) return sys::error_from_errno("read", name, errno);
    }
  };
  // The header promised st_size bytes: a file that shrank meanwhile is padded.
  return write_contents(name, static_cast<uint64_t>(st.st_size), read, when_short::pad_with_zeros);
}

caf::error tar_writer::add_file_or_hardlink(const std::string& name, const struct stat& st, int fd,
                                            const tar_xattrs& xattrs) {
  if (st.st_nlink > 1) {
    auto [it, fresh] = state_->first_names.emplace(std::make_pair(st.st_dev, st.st_ino), name);
    if (!fresh) return add_hardlink(name, st, it->second);
  }
  return add_file(name, st, fd, xattrs);
}

caf::error tar_writer::add_directory(const std::string& name, const tar_metadata& meta) {
  auto e = entry_for(name, AE_IFDIR, meta, times_);
  archive_entry_set_size(e.get(), 0);
  return write_header(e.get(), name);
}

caf::error tar_writer::add_file(const std::string& name, const tar_metadata& meta,
                                std::string_view contents) {
  auto e = entry_for(name, AE_IFREG, meta, times_);
  archive_entry_set_size(e.get(), static_cast<la_int64_t>(contents.size()));
  if (auto err = write_header(e.get(), name)) return err;
  if (!contents.empty() &&
      archive_write_data(state_->a.get(), contents.data(), contents.size()) < 0)
    return failure("write data " + name);
  return {};
}

caf::error tar_writer::add_file(const std::string& name, const tar_metadata& meta, uint64_t size,
                                byte_source& contents) {
  auto e = entry_for(name, AE_IFREG, meta, times_);
  archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
  if (auto err = write_header(e.get(), name)) return err;
  auto read = [&](char* buf, size_t n) { return contents.read(buf, n); };
  return write_contents(name, size, read, when_short::fail);
}

caf::error tar_writer::add_empty_file(const std::string& name, uint32_t mode, uint32_t uid,
                                      uint32_t gid, const struct timespec& mtime) {
  return add_file(name, tar_metadata{mode, uid, gid, mtime}, std::string_view{});
}

caf::error tar_writer::add_symlink(const std::string& name, const struct stat& st,
                                   const std::string& target) {
  auto e = entry_for(name, st, times_);
  archive_entry_set_size(e.get(), 0);
  archive_entry_set_symlink(e.get(), target.c_str());
  return write_header(e.get(), name);
}

caf::error tar_writer::add_hardlink(const std::string& name, const struct stat& st,
                                    const std::string& target) {
  auto e = entry_for(name, st, times_);
  archive_entry_set_size(e.get(), 0);
  archive_entry_set_hardlink(e.get(), target.c_str());
  return write_header(e.get(), name);
}

caf::error tar_writer::add_special(const std::string& name, const struct stat& st) {
  auto e = entry_for(name, st, times_);
  archive_entry_set_size(e.get(), 0);
  return write_header(e.get(), name);
}

caf::error tar_writer::close() {
  if (archive_write_close(state_->a.get()) != ARCHIVE_OK) return failure("finish archive");
  return {};
}

} // namespace berth::storage
