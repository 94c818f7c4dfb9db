// What a tar entry read through layer_stream says about the file to create: its metadata and
// its contents. Shared by layer unpacking and docker cp's extraction.
#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "storage/layer_writer.hpp"

struct archive_entry;

namespace berth::storage {

class layer_stream;

/// An invalid_argument error "archive entry <name>: <why>".
[[nodiscard]] caf::error entry_error(const std::string& name, const std::string& why);

/// Owner, permissions, times and extended attributes of `entry` (named `name` in errors). Owners
/// beyond what chown takes are refused; trusted.* attributes (overlayfs' own) are dropped; an
/// access time before the modification time is taken as the latter, as dockerd does.
[[nodiscard]] caf::expected<entry_meta> entry_meta_of(archive_entry* entry,
                                                      const std::string& name);

/// Writes the current entry's contents into `fd`; holes of sparse entries stay holes and the file
/// ends up `size` bytes long.
[[nodiscard]] caf::error write_entry_contents(layer_stream& stream, int fd, const std::string& name,
                                              int64_t size);

} // namespace berth::storage
