// Test helper: builds tar archives in memory with libarchive's write API, optionally compressed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <stdexcept>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

#include <archive.h>
#include <archive_entry.h>

namespace berth::test {

/// One entry to write. Names and link targets are written exactly as given (no cleaning).
struct tar_entry {
  enum class kind { file, dir, symlink, hardlink, chardev, blockdev, fifo };
  std::string name;
  kind type = kind::file;
  std::string data;   ///< file contents
  std::string link;   ///< symlink or hardlink target
  mode_t mode = 0644; ///< permission bits
  int64_t uid = 0;
  int64_t gid = 0;
  time_t mtime = 1'600'000'000;
  long mtime_nsec = 0;
  dev_t rdev = 0; ///< device number for device nodes
  std::vector<std::pair<std::string, std::string>> xattrs;
  std::vector<std::pair<int64_t, int64_t>> sparse; ///< data regions (offset, length); rest: holes
};

inline tar_entry file_entry(std::string name, std::string data, mode_t mode = 0644) {
  return {.name = std::move(name),
          .type = tar_entry::kind::file,
          .data = std::move(data),
          .mode = mode};
}

inline tar_entry dir_entry(std::string name, mode_t mode = 0755) {
  return {.name = std::move(name), .type = tar_entry::kind::dir, .mode = mode};
}

inline tar_entry symlink_entry(std::string name, std::string target) {
  return {.name = std::move(name),
          .type = tar_entry::kind::symlink,
          .link = std::move(target),
          .mode = 0777};
}

inline tar_entry hardlink_entry(std::string name, std::string target) {
  return {.name = std::move(name), .type = tar_entry::kind::hardlink, .link = std::move(target)};
}

enum class tar_format { pax, ustar, gnu };
enum class compression { none, gzip, zstd, xz, bzip2 };

namespace detail {

inline void check(archive* a, int rc, const char* what) {
  if (rc < ARCHIVE_WARN)
    throw std::runtime_error(std::string{what} + ": " +
                             (archive_error_string(a) ? archive_error_string(a) : "?"));
}

inline la_ssize_t append(archive*, void* out, const void* data, size_t size) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(data), size);
  return static_cast<la_ssize_t>(size);
}

inline void add_filter(archive* a, compression c) {
  switch (c) {
  case compression::none:
    break;
  case compression::gzip:
    check(a, archive_write_add_filter_gzip(a), "gzip");
    break;
  case compression::zstd:
    check(a, archive_write_add_filter_zstd(a), "zstd");
    break;
  case compression::xz:
    check(a, archive_write_add_filter_xz(a), "xz");
    break;
  case compression::bzip2:
    check(a, archive_write_add_filter_bzip2(a), "bzip2");
    break;
  }
}

} // namespace detail

/// Builds a tar of `entries`. `padded`: pad the end to libarchive's 10 KiB record (as tar(1)
/// does) rather than stopping right after the end-of-archive blocks (as Go's archive/tar does).
inline std::string make_tar(const std::vector<tar_entry>& entries,
                            tar_format format = tar_format::pax, compression c = compression::none,
                            bool padded = true) {
  std::string out;
  archive* a = archive_write_new();
  switch (format) {
  case tar_format::pax:
    detail::check(a, archive_write_set_format_pax_restricted(a), "format");
    break;
  case tar_format::ustar:
    detail::check(a, archive_write_set_format_ustar(a), "format");
    break;
  case tar_format::gnu:
    detail::check(a, archive_write_set_format_gnutar(a), "format");
    break;
  }
  detail::add_filter(a, c);
  if (!padded) archive_write_set_bytes_in_last_block(a, 1);
  detail::check(a, archive_write_open(a, &out, nullptr, detail::append, nullptr), "open");
  for (const auto& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    archive_entry_set_perm(entry, e.mode);
    archive_entry_set_uid(entry, e.uid);
    archive_entry_set_gid(entry, e.gid);
    archive_entry_set_mtime(entry, e.mtime, e.mtime_nsec);
    for (const auto& [name, value] : e.xattrs)
      archive_entry_xattr_add_entry(entry, name.c_str(), value.data(), value.size());
    using kind = tar_entry::kind;
    switch (e.type) {
    case kind::file:
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_size(entry, static_cast<la_int64_t>(e.data.size()));
      for (auto [offset, length] : e.sparse)
        archive_entry_sparse_add_entry(entry, offset, length);
      break;
    case kind::dir:
      archive_entry_set_filetype(entry, AE_IFDIR);
      break;
    case kind::symlink:
      archive_entry_set_filetype(entry, AE_IFLNK);
      archive_entry_set_symlink(entry, e.link.c_str());
      break;
    case kind::hardlink:
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_hardlink(entry, e.link.c_str());
      break;
    case kind::chardev:
      archive_entry_set_filetype(entry, AE_IFCHR);
      archive_entry_set_rdev(entry, e.rdev);
      break;
    case kind::blockdev:
      archive_entry_set_filetype(entry, AE_IFBLK);
      archive_entry_set_rdev(entry, e.rdev);
      break;
    case kind::fifo:
      archive_entry_set_filetype(entry, AE_IFIFO);
      break;
    }
    detail::check(a, archive_write_header(a, entry), "header");
    if (e.type == kind::file && !e.data.empty())
      if (archive_write_data(a, e.data.data(), e.data.size()) < 0)
        detail::check(a, ARCHIVE_FATAL, "data");
    archive_entry_free(entry);
  }
  detail::check(a, archive_write_close(a), "close");
  archive_write_free(a);
  return out;
}

/// Compresses `data` as a whole (libarchive's "raw" format): compress(make_tar(...)) has exactly
/// make_tar(...) inside.
inline std::string compress(const std::string& data, compression c) {
  std::string out;
  archive* a = archive_write_new();
  detail::check(a, archive_write_set_format_raw(a), "format");
  detail::add_filter(a, c);
  archive_write_set_bytes_in_last_block(a, 1);
  detail::check(a, archive_write_open(a, &out, nullptr, detail::append, nullptr), "open");
  archive_entry* entry = archive_entry_new();
  archive_entry_set_filetype(entry, AE_IFREG);
  archive_entry_set_pathname(entry, "data");
  detail::check(a, archive_write_header(a, entry), "header");
  // Written in pieces: one huge write would make some compressors hold it all twice.
  for (size_t pos = 0; pos < data.size(); pos += 1 << 20) {
    auto n = std::min(data.size() - pos, size_t{1} << 20);
    if (archive_write_data(a, data.data() + pos, n) < 0) detail::check(a, ARCHIVE_FATAL, "data");
  }
  archive_entry_free(entry);
  detail::check(a, archive_write_close(a), "close");
  archive_write_free(a);
  return out;
}

} // namespace berth::test
