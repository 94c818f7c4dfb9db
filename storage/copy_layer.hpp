// The files of a build's COPY or ADD step, written into a fresh directory that then becomes the
// step's layer like a container's upper directory (no container, no mount): dockerd's
// performCopy for local sources.
//
// Sources are read through a descriptor of their root (the context, or a stage's or image's
// files) with context_sources' in-root resolution: nothing outside the root is ever read. The
// destination is resolved as dockerd resolves it in the container's root (FollowSymlinkInScope),
// in the merged view of the image's layers under what the step already wrote (layer_view):
// symlinked directories of the image are followed, scoped to the image's root, so on a merged-/usr
// image `COPY x /lib/a/x` writes /usr/lib/a/x and /lib stays the image's symlink. That resolution
// only chooses a path; the writes go below `out_dir` only (each directory opened with O_NOFOLLOW
// from `out_dir`'s descriptor, the last component created with O_NOFOLLOW/O_EXCL after removing
// what was there), so no symlink — the image's, the context's or one copied by an earlier source
// — can redirect a write outside `out_dir`. Blocking; thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <caf/error.hpp>

#include "storage/context_sources.hpp"
#include "storage/layer_unpack.hpp"

namespace berth::storage {

/// Owner of everything a COPY writes (dockerd: root unless --chown).
struct copy_owner {
  uint32_t uid = 0;
  uint32_t gid = 0;
};

struct copy_layer_request {
  int source_root_fd = -1;             ///< where `sources` are (context or image files)
  std::vector<context_source> sources; ///< resolved (resolve_sources)
  std::string dest;                    ///< absolute, cleaned, a trailing '/' kept
  copy_owner owner;
  bool extract_archives = false;       ///< ADD: a local tar (maybe compressed) is unpacked
  std::vector<std::string> lower_dirs; ///< the image's layers, top-most first (dest resolved)
  std::string out_dir;                 ///< an existing empty directory
  std::string scratch_dir;             ///< an existing empty directory for ADD's unpacking
  /// ADD's bounds on an archive. It is the client's own (from its context or an image it
  /// names), as is anything a RUN writes, and dockerd bounds neither: entries and size keep the
  /// layer defaults, the compression ratio is not checked (a zstd tar of a large sparse or zeroed
  /// file is compressed far beyond any ratio a registry layer has).
  unpack_limits limits{.max_ratio = std::numeric_limits<double>::infinity()};
};

/// Copies as dockerd does, `dest` resolved in the layers (see above):
///  - a file to `dest` itself, or to `dest/<name>` when `dest` ends with '/' or is a directory;
///    directories created on the way are 0755 and owned by `owner` (dockerd's MkdirAllAndChown);
///  - a directory's contents into `dest`; of the directories created on the way only `dest`
///    itself is owned by `owner`, the others by root (dockerd's CopyWithTar, then its chown of
///    what it copied);
///  - symlinks as symlinks, hard links within one directory source (or archive) as hard links,
///    a file's security.capability with it (as dockerd's tar round trip carries it),
///    permission bits (setuid, setgid, sticky included) and modification times kept, owner
///    `owner`;
///  - with `extract_archives` (ADD), a file that is a tar archive (plain, gzip, bzip2, xz, zstd:
///    local_archive's test) is unpacked into `dest` with the archive's own owners, modes and
///    times, the directories created on the way root's (dockerd's Untar); an archive that fails
///    to unpack fails the step ("failed to copy files: ...").
/// A directory of the image on the way keeps its mode, owner and time in the layer. A
/// non-directory on the way is an error ("mkdir <path>: Not a directory"), as is a destination
/// that takes more than 255 steps to resolve ("evalSymlinksInScope: too many links in <dest>").
[[nodiscard]] caf::error write_copy_layer(const copy_layer_request& request);

} // namespace berth::storage
