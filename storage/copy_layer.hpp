// The files of a build's COPY or ADD step, written into a fresh directory that then becomes the
// step's layer like a container's upper directory (no container, no mount): dockerd's
// performCopy for local sources.
//
// Sources are read through a descriptor of their root (the context, or a stage's or image's
// files) with context_sources' in-root resolution: nothing outside the root is ever read. Writes
// go below `out_dir` only (parents opened with RESOLVE_IN_ROOT, the last component created with
// O_NOFOLLOW/O_EXCL after removing what was there), so a symlink copied by an earlier source can
// never redirect a later write. Blocking; thread-safe (no shared state).
#pragma once

#include <cstdint>
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
  std::vector<std::string> lower_dirs; ///< the image's layers, top-most first (is dest a dir?)
  std::string out_dir;                 ///< an existing empty directory
  std::string scratch_dir;             ///< an existing empty directory for ADD's unpacking
  unpack_limits limits;
};

/// Copies as dockerd does: a file to `dest` itself, or to `dest/<name>` when `dest` ends with '/'
/// or is a directory in the image; a directory's contents into `dest`; symlinks as symlinks;
/// permission bits (setuid, setgid, sticky included) and modification times kept; owner `owner`;
/// missing parents created 0755 root-owned. With `extract_archives`, a source file that is a tar
/// archive (plain, gzip, bzip2, xz, zstd) is unpacked into `dest` instead.
[[nodiscard]] caf::error write_copy_layer(const copy_layer_request& request);

/// Whether `path` (absolute) is a directory in the layers `lower_dirs` (top-most first) as
/// overlayfs would merge them (a whiteout above hides it).
[[nodiscard]] bool is_dir_in_layers(const std::vector<std::string>& lower_dirs,
                                    const std::string& path);

} // namespace berth::storage
