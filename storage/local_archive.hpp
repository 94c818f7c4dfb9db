// ADD's local archives as dockerd's builder treats them: which files are tar archives (its
// IsArchivePath) and their unpacking (its Untar's decompression).
//
// A file is an archive when its compression (none, gzip, bzip2, xz or zstd, told by the first
// bytes) decodes and a first tar header reads; anything else is copied as a file by the caller.
// An archive that then fails to unpack fails the ADD, as in dockerd: it is not copied as a file.
// The unpacking is layer_unpack's (in-root writes, no escape, bounded). Blocking.
#pragma once

#include <caf/expected.hpp>

#include "storage/layer_unpack.hpp"

namespace berth::storage {

/// Whether the regular file open at `fd` is a tar archive as dockerd's ADD decides it (a file that
/// cannot be read is none). Reads from the start of the file; `fd`'s offset is left as it is.
[[nodiscard]] bool is_tar_archive(int fd);

/// Unpacks the archive at `fd` (from its start; the offset is left as it is) into `target_dir`, an
/// existing empty directory. zstd frames with windows up to 512 MiB are read, as dockerd reads
/// them.
[[nodiscard]] caf::expected<unpack_result> unpack_archive(int fd, const std::string& target_dir,
                                                          const unpack_limits& limits);

} // namespace berth::storage
