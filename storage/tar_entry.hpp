// Reading one tar entry for a layer_writer: its ownership, mode, times and xattrs, and its
// contents into a file. Shared by layer unpacking, build-context extraction and docker cp.
#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "storage/layer_stream.hpp"
#include "storage/layer_writer.hpp"

struct archive_entry;

namespace berth::storage {

/// An invalid_argument error "archive entry <name>: <why>".
[[nodiscard]] caf::error entry_error(const std::string& name, const std::string& why);

/// The entry's metadata as layer_writer applies it. Refuses owners beyond 2^32-2; drops
/// trusted.* xattrs (overlayfs' own) and out-of-range nanoseconds; an access time before the
/// modification time becomes the latter, as dockerd does.
[[nodiscard]] caf::expected<entry_meta> tar_entry_meta(archive_entry* entry,
                                                       const std::string& name);

/// Writes the current entry's contents into `fd`; holes of sparse entries stay holes, and the
/// file is extended to `size`.
[[nodiscard]] caf::error write_tar_contents(layer_stream& stream, int fd, const std::string& name,
                                            int64_t size);

/// What writing entries counted.
struct tar_entry_counts {
  uint64_t content_bytes = 0;   ///< sizes of the regular files created
  uint64_t skipped_devices = 0; ///< character and block devices not created
};

/// Writes one entry whose name `name` is already cleaned (and is not an overlay whiteout) through
/// `writer`, at `name` below `base` (a cleaned directory below the writer's root, "" for the root
/// itself: layers and build contexts are unpacked at their root, docker cp below a directory of
/// the container): hardlinks (to a cleaned target, below `base` as well), directories, files with
/// their contents, symlinks and FIFOs. Errors about the entry itself name it `name`, as the
/// archive does; the writer's errors name the path below its root. Device nodes are skipped
/// (counted): a container gets its own /dev, a build never needs the client's, and a node planted
/// in a container would be a way to the host's devices; sockets are skipped; any other type is
/// refused.
[[nodiscard]] caf::error write_tar_entry(layer_stream& stream, layer_writer& writer,
                                         archive_entry* entry, const std::string& name,
                                         const entry_meta& meta, tar_entry_counts& counts,
                                         const std::string& base = {});

} // namespace berth::storage
