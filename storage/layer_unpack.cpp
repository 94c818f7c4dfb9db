// Unpacks one image layer (a tar, maybe compressed) into an empty directory, safely and bounded.
#include "storage/layer_unpack.hpp"

#include <algorithm>
#include <cerrno>
#include <string_view>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "storage/layer_path.hpp"
#include "storage/layer_stream.hpp"
#include "storage/layer_writer.hpp"

namespace berth::storage {

namespace {

/// OCI whiteouts: ".wh.<name>" hides <name>; ".wh..wh..opq" makes its directory opaque; any other
/// ".wh..wh.*" is AUFS bookkeeping that is not part of the image.
constexpr std::string_view whiteout_prefix = ".wh.";
constexpr std::string_view whiteout_meta_prefix = ".wh..wh.";
constexpr std::string_view opaque_marker = ".wh..wh..opq";

/// The largest id chown accepts: (uid_t)-1 means "leave unchanged".
constexpr int64_t max_id = 0xfffffffe;

caf::error bad_entry(const std::string& name, const std::string& why) {
  return make_error(errc::invalid_argument, "archive entry " + name + ": " + why);
}

timespec to_timespec(time_t sec, long nsec) {
  // Out-of-range nanoseconds from a crafted header would make utimensat fail: drop them.
  return {sec, nsec >= 0 && nsec < 1'000'000'000 ? nsec : 0};
}

caf::expected<entry_meta> meta_of(archive_entry* entry, const std::string& name) {
  entry_meta meta;
  auto uid = archive_entry_uid(entry);
  auto gid = archive_entry_gid(entry);
  if (uid < 0 || uid > max_id || gid < 0 || gid > max_id)
    return bad_entry(name, "invalid owner " + std::to_string(uid) + ":" + std::to_string(gid));
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

/// Writes the current entry's contents into `fd`; holes of sparse entries stay holes.
caf::error write_contents(layer_stream& stream, int fd, const std::string& name, int64_t size) {
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

caf::error apply_entry(layer_stream& stream, layer_writer& writer, archive_entry* entry,
                       unpack_result& result) {
  const char* raw = archive_entry_pathname(entry);
  if (raw == nullptr)
    return make_error(errc::invalid_argument, "archive entry without a usable name");
  auto name = clean_entry_name(raw);
  if (!name) return name.error();
  auto [dir, leaf] = split_entry_name(*name);
  // AUFS metadata: a top-level ".wh..wh.*" and all under it, or such a name anywhere.
  if (name->starts_with(whiteout_meta_prefix) && *name != opaque_marker) return {};
  if (leaf == opaque_marker) return writer.set_opaque(dir);
  if (leaf.starts_with(whiteout_meta_prefix)) return {};
  auto meta = meta_of(entry, *name);
  if (!meta) return meta.error();
  if (leaf.starts_with(whiteout_prefix))
    return writer.add_whiteout(dir, leaf.substr(whiteout_prefix.size()), *meta);
  if (const char* link = archive_entry_hardlink(entry)) {
    auto target = clean_entry_name(link);
    if (!target) return bad_entry(*name, "hardlink target: " + error_message(target.error()));
    return writer.add_hardlink(*name, *target);
  }
  switch (archive_entry_filetype(entry)) {
  case AE_IFDIR:
    return writer.add_directory(*name, *meta);
  case AE_IFREG: {
    int64_t size =
        archive_entry_size_is_set(entry) ? std::max<int64_t>(0, archive_entry_size(entry)) : 0;
    auto fd = writer.create_file(*name);
    if (!fd) return fd.error();
    if (auto err = write_contents(stream, fd->get(), *name, size)) return err;
    result.content_bytes += static_cast<uint64_t>(size);
    return writer.finish_file(fd->get(), *name, *meta);
  }
  case AE_IFLNK: {
    const char* target = archive_entry_symlink(entry);
    if (target == nullptr) return bad_entry(*name, "symlink without a usable target");
    return writer.add_symlink(*name, target, *meta);
  }
  case AE_IFCHR:
  case AE_IFBLK:
    // Containers get their own /dev; a device node in a layer is a way into the host.
    ++result.skipped_devices;
    return {};
  case AE_IFIFO:
    return writer.add_fifo(*name, *meta);
  case AE_IFSOCK:
    return {};
  default:
    return bad_entry(*name, "unsupported type");
  }
}

} // namespace

caf::expected<unpack_result> unpack_layer(byte_source& source, const std::string& target_dir,
                                          const unpack_limits& limits, bool compute_diff_id) {
  auto writer = layer_writer::open(target_dir);
  if (!writer) return writer.error();
  layer_stream stream{source, limits, compute_diff_id};
  if (auto err = stream.open()) return err;
  unpack_result result;
  for (;;) {
    auto entry = stream.next_entry();
    if (!entry) return entry.error();
    if (*entry == nullptr) break;
    if (++result.entries > limits.max_entries)
      return make_error(errc::invalid_argument,
                        "layer has more than " + std::to_string(limits.max_entries) + " entries");
    if (auto err = apply_entry(stream, *writer, *entry, result)) return err;
  }
  if (auto err = writer->finish()) return err;
  result.diff_id = stream.diff_id();
  result.tar_bytes = stream.tar_bytes();
  result.compressed_bytes = stream.compressed_bytes();
  return result;
}

} // namespace berth::storage
