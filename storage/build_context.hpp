// A build's context: the tar a client sends with POST /build (plain, gzip, bzip2, xz or zstd),
// unpacked into a private directory safely, then its Dockerfile read and its .dockerignore
// applied (dockerd's remotecontext.FromArchive and withDockerfileFromContext).
//
// The archive is untrusted. Entry names are cleaned and refused with "..", every write goes
// through a descriptor of the target with in-root resolution (layer_writer), symlinks are kept
// as symlinks and never followed while writing, a relative symlink leading out of the context is
// refused (as dockerd's untar does), device nodes are skipped, sizes are bounded by
// unpack_limits. Reading sources out of the context later goes through context_sources.hpp.
// Blocking: call from a worker thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "base/byte_source.hpp"
#include "storage/layer_unpack.hpp"

namespace berth::storage {

/// The Dockerfile name when the request does not give one.
inline constexpr const char* default_dockerfile_name = "Dockerfile";

struct context_options {
  /// The Dockerfile's path inside the context (the `dockerfile` query parameter).
  std::string dockerfile = default_dockerfile_name;
  /// Bounds on the tar: uncompressed bytes, entries, compression ratio.
  unpack_limits limits;
  /// Remove what .dockerignore excludes. The docker CLI has already left those files out of
  /// the tar (dockerd itself only drops the Dockerfile and .dockerignore when they are
  /// excluded); this also covers clients that send everything. The Dockerfile and .dockerignore
  /// are read first in any case.
  bool apply_dockerignore = true;
  /// The largest Dockerfile and .dockerignore read (dockerd has no limit).
  uint64_t max_file_bytes = 16u << 20;
};

/// What extraction produced.
struct build_context {
  std::string dockerfile_path; ///< the file read: `dockerfile`, or "dockerfile" for a missing
                               ///< default "Dockerfile" (dockerd's fallback)
  std::string dockerfile_text; ///< its contents (parse with dockerfile::parse_dockerfile)
  std::vector<std::string> ignore_patterns; ///< .dockerignore's patterns, in order (or none)
  uint64_t tar_bytes = 0;                   ///< uncompressed tar size
  uint64_t entries = 0;                     ///< tar entries read
  uint64_t skipped_devices = 0;             ///< device nodes not created
  uint64_t ignored_paths = 0;               ///< files and directories removed by .dockerignore
};

/// Unpacks the context tar from `source` into `dir` (an existing empty directory only the
/// daemon can reach), reads the Dockerfile and applies .dockerignore. Errors (invalid_argument
/// unless the system failed): the archive's ("archive entry "../x" has a ".." component",
/// "symlink a -> ../.. points outside the layer (breakout)", limits), "Cannot locate specified
/// Dockerfile: <path>", "forbidden path outside the build context: <path> ()" for a Dockerfile
/// path leaving the context, "error reading .dockerignore: <why>", a pattern's "syntax error in
/// pattern". On error `dir` may hold a partial context: the caller removes it.
[[nodiscard]] caf::expected<build_context>
extract_build_context(byte_source& source, const std::string& dir, const context_options& options);

} // namespace berth::storage
