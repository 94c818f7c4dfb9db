// docker cp into a container: a tar extracted below a directory of the container's root, every
// write through layer_writer's descriptors.
#include <cerrno>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <tuple>
#include <unistd.h>
#include <utility>

#include <archive.h>
#include <archive_entry.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "storage/container_archive.hpp"
#include "storage/container_path.hpp"
#include "storage/kernel_filesystem.hpp"
#include "storage/layer_path.hpp"
#include "storage/layer_stream.hpp"
#include "storage/layer_writer.hpp"
#include "storage/tar_entry.hpp"

namespace berth::storage {

namespace {

/// The path in the container as dockerd's messages show it.
std::string shown(const std::string& below) {
  return "/" + below;
}

/// dockerd's NoOverwriteDirNonDir: a directory is not replaced by anything else, nor anything
/// else by a directory.
caf::error check_overwrite(int root_fd, const std::string& name, bool entry_is_dir,
                           const std::string& directory) {
  auto existing = sys::openat2(root_fd, name, O_PATH | O_NOFOLLOW, container_resolve);
  if (!existing) return {};
  struct stat st {};
  if (::fstat(existing->get(), &st) != 0) return {};
  bool is_dir = S_ISDIR(st.st_mode);
  if (is_dir && !entry_is_dir)
    return make_error(errc::invalid_argument, "cannot overwrite directory \"" + shown(name) +
                                                  "\" with non-directory \"" + directory + "\"");
  if (!is_dir && entry_is_dir)
    return make_error(errc::invalid_argument, "cannot overwrite non-directory \"" + shown(name) +
                                                  "\" with directory \"" + directory + "\"");
  return {};
}

struct extraction {
  int root_fd;
  std::string base; ///< the extraction directory below the root ("" for the root itself)
  std::string directory;
  const extract_options& opts;
  layer_stream& stream;
  layer_writer& writer;

  caf::error apply(archive_entry* entry) {
    const char* raw = archive_entry_pathname(entry);
    if (raw == nullptr)
      return make_error(errc::invalid_argument, "archive entry without a usable name");
    auto cleaned = clean_entry_name(raw);
    if (!cleaned) return cleaned.error();
    // "." is the extraction directory itself, which exists: dockerd leaves it as it is.
    if (cleaned->empty()) return {};
    auto name = join_entry_name(base, *cleaned);
    auto meta = tar_entry_meta(entry, *cleaned);
    if (!meta) return meta.error();
    if (opts.owner) std::tie(meta->uid, meta->gid) = *opts.owner;
    const char* link = archive_entry_hardlink(entry);
    auto type = archive_entry_filetype(entry);
    if (opts.no_overwrite_dir_non_dir)
      if (auto err = check_overwrite(root_fd, name, link == nullptr && type == AE_IFDIR, directory))
        return err;
    tar_entry_counts counts; // docker cp reports none
    return write_tar_entry(stream, writer, entry, *cleaned, *meta, counts, base);
  }
};

} // namespace

caf::expected<std::string> extraction_directory(int root_fd, const std::string& path) {
  // Every symlink followed, also the last one: extracting "to a symlink" extracts to the
  // directory it leads to.
  auto resolved = resolve_in_container(root_fd, path, missing_component::fail);
  if (!resolved) return resolved.error();
  auto fd = open_in_container(root_fd, *resolved, O_PATH | O_NOFOLLOW);
  if (!fd) return fd.error();
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) return sys::error_from_errno("stat", *resolved, errno);
  if (!S_ISDIR(st.st_mode))
    return make_error(errc::invalid_argument, "extraction point is not a directory");
  if (on_kernel_filesystem(fd->get()))
    return make_error(errc::invalid_argument,
                      "extraction point " + *resolved + " is on a kernel filesystem");
  return resolved;
}

caf::error extract_into_container(int root_fd, const std::string& directory, byte_source& source,
                                  const extract_options& opts) {
  layer_stream stream{source, opts.limits, false, archive_words};
  // An empty body extracts nothing, as dockerd.
  if (auto err = stream.open()) return stream.empty() ? caf::error{} : err;
  unique_fd root{::fcntl(root_fd, F_DUPFD_CLOEXEC, 0)};
  if (!root) return sys::error_from_errno("dup", "/", errno);
  auto writer = layer_writer::open_at(
      std::move(root), writer_scope{.cross_mounts = true, .refuse_kernel_filesystems = true});
  if (!writer) return writer.error();
  auto below = below_root(directory);
  extraction run{root_fd, below == "." ? std::string{} : below, directory, opts, stream, *writer};
  for (;;) {
    auto entry = stream.next_entry();
    if (!entry) return entry.error();
    if (*entry == nullptr) break;
    if (auto err = run.apply(*entry)) return err;
  }
  return writer->finish();
}

} // namespace berth::storage
