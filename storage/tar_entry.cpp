// Reading one tar entry's metadata and contents for a layer_writer.
#include "storage/tar_entry.hpp"

#include <algorithm>
#include <cerrno>
#include <string_view>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "storage/layer_path.hpp"

namespace berth::storage {

caf::error entry_error(const std::string& name, const std::string& why) {
  return make_error(errc::invalid_argument, "archive entry " + name + ": " + why);
}

namespace {

/// The largest id chown accepts: (uid_t)-1 means "leave unchanged".
constexpr int64_t max_id = 0xfffffffe;

timespec to_timespec(time_t sec, long nsec) {
  // Out-of-range nanoseconds from a crafted header would make utimensat fail: drop them.
  return {sec, nsec >= 0 && nsec < 1'000'000'000 ? nsec : 0};
}

} // namespace

caf::expected<entry_meta> tar_entry_meta(archive_entry* entry, const std::string& name) {
  entry_meta meta;
  auto uid = archive_entry_uid(entry);
  auto gid = archive_entry_gid(entry);
  if (uid < 0 || uid > max_id || gid < 0 || gid > max_id)
    return entry_error(name, "invalid owner " + std::to_string(uid) + ":" + std::to_string(gid));
  meta.uid = static_cast<uint32_t>(uid);
  meta.gid = static_cast<uint32_t>(gid);
  meta.mode = archive_entry_perm(entry) & 07777;
  if (archive_entry_mtime_is_set(entry)) {
    meta.mtime = to_timespec(archive_entry_mtime(entry), archive_entry_mtime_nsec(entry));
    meta.atime = meta.mtime;
  }
  if (archive_entry_atime_is_set(entry)) {
    // As dockerd: an access time before the modification time is taken as the latter.
    auto atime = to_timespec(archive_entry_atime(entry), archive_entry_atime_nsec(entry));
    bool before_mtime = meta.mtime.tv_nsec != UTIME_OMIT &&
                        (atime.tv_sec < meta.mtime.tv_sec ||
                         (atime.tv_sec == meta.mtime.tv_sec && atime.tv_nsec < meta.mtime.tv_nsec));
    if (!before_mtime) meta.atime = atime;
  }
  archive_entry_xattr_reset(entry);
  const char* attr = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  while (archive_entry_xattr_next(entry, &attr, &value, &size) == ARCHIVE_OK) {
    // trusted.* is overlayfs' own metadata (opaque, redirect, origin...): never from an archive.
    if (attr == nullptr || std::string_view{attr}.starts_with("trusted.")) continue;
    meta.xattrs.emplace_back(attr, value != nullptr
                                       ? std::string{static_cast<const char*>(value), size}
                                       : std::string{});
  }
  return meta;
}

caf::error write_tar_contents(layer_stream& stream, int fd, const std::string& name, int64_t size) {
  int64_t pos = 0;
  for (;;) {
    auto block = stream.read_block();
    if (!block) return block.error();
    if (block->size == 0) break;
    if (block->offset != pos) {
      if (block->offset < 0 || ::lseek(fd, block->offset, SEEK_SET) < 0)
        return sys::error_from_errno("seek", name, errno ? errno : EINVAL);
      pos = block->offset;
    }
    if (auto err = sys::write_all(fd, {block->data, block->size}, name)) return err;
    pos += static_cast<int64_t>(block->size);
  }
  if (size > pos && ::ftruncate(fd, size) != 0)
    return sys::error_from_errno("truncate", name, errno);
  return {};
}

caf::error write_tar_entry(layer_stream& stream, layer_writer& writer, archive_entry* entry,
                           const std::string& name, const entry_meta& meta,
                           tar_entry_counts& counts, const std::string& base) {
  auto path = join_entry_name(base, name);
  if (const char* link = archive_entry_hardlink(entry)) {
    auto target = clean_entry_name(link);
    if (!target) return entry_error(name, "hardlink target: " + error_message(target.error()));
    return writer.add_hardlink(path, join_entry_name(base, *target));
  }
  switch (archive_entry_filetype(entry)) {
  case AE_IFDIR:
    return writer.add_directory(path, meta);
  case AE_IFREG: {
    int64_t size =
        archive_entry_size_is_set(entry) ? std::max<int64_t>(0, archive_entry_size(entry)) : 0;
    auto fd = writer.create_file(path);
    if (!fd) return fd.error();
    if (auto err = write_tar_contents(stream, fd->get(), path, size)) return err;
    counts.content_bytes += static_cast<uint64_t>(size);
    return writer.finish_file(fd->get(), path, meta);
  }
  case AE_IFLNK: {
    const char* target = archive_entry_symlink(entry);
    if (target == nullptr) return entry_error(name, "symlink without a usable target");
    return writer.add_symlink(path, target, meta);
  }
  case AE_IFCHR:
  case AE_IFBLK:
    ++counts.skipped_devices;
    return {};
  case AE_IFIFO:
    return writer.add_fifo(path, meta);
  case AE_IFSOCK:
    return {};
  default:
    return entry_error(name, "unsupported type");
  }
}

} // namespace berth::storage
