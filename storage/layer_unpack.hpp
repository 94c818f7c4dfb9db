// Unpacks one image layer (a tar, maybe compressed) into an empty directory, safely and bounded.
//
// The archive is untrusted: every name is cleaned and every write goes through a descriptor of
// the target directory with in-root resolution, so nothing can be written outside it; symlinks
// that escape lexically, hardlinks to missing targets, ".." and overlay metadata from the
// archive are refused; device nodes are skipped. OCI whiteouts become overlayfs whiteouts.
// Blocking: call it from a worker, never from a scheduler thread.
#pragma once

#include <cstdint>
#include <string>

#include <caf/expected.hpp>

#include "base/byte_source.hpp"

namespace berth::storage {

/// Bounds on what one layer may cost. The defaults suit real images; tests and fuzzers shrink them.
struct unpack_limits {
  uint64_t max_bytes = 64ull << 30;    ///< total uncompressed tar bytes
  uint64_t max_entries = 5'000'000;    ///< tar entries (headers), of any type
  double max_ratio = 1024;             ///< uncompressed / compressed bytes
  uint64_t ratio_floor = 256ull << 20; ///< the ratio is only checked beyond this many uncompressed
};

/// What an unpack did.
struct unpack_result {
  std::string diff_id;           ///< "sha256:<hex>" of the uncompressed tar ("" if not computed)
  uint64_t tar_bytes = 0;        ///< uncompressed tar stream size
  uint64_t compressed_bytes = 0; ///< bytes read from the source
  uint64_t content_bytes = 0;    ///< sum of the sizes of the regular files created
  uint64_t entries = 0;          ///< tar entries read
  uint64_t skipped_devices = 0;  ///< character and block devices not created
};

/// Unpacks a layer tar from `source` (uncompressed, gzip, zstd, xz or bzip2, detected) into
/// `target_dir`, an existing empty directory that will be an overlayfs lower layer. Needs root
/// (ownership, hardlinks by descriptor). Does not sync: the caller runs one syncfs at the end.
/// On error the directory may hold a partial result: the caller removes it.
[[nodiscard]] caf::expected<unpack_result> unpack_layer(byte_source& source,
                                                        const std::string& target_dir,
                                                        const unpack_limits& limits,
                                                        bool compute_diff_id);

} // namespace berth::storage
