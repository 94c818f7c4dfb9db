// Reading a small regular file that someone else controls (an image's /etc/passwd, a seccomp
// profile named in a request) without blocking on FIFOs or devices and within a size bound.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <caf/expected.hpp>

namespace berth::runtime {

/// Opens `path` relative to `dirfd` with openat2 and `resolve` (RESOLVE_* flags; AT_FDCWD and 0
/// for an ordinary path) and reads it whole. nullopt when it does not exist; an error when it is
/// not a regular file ("<what> is not a regular file") or larger than `max_bytes`.
[[nodiscard]] caf::expected<std::optional<std::string>>
read_regular_file(int dirfd, const std::string& path, uint64_t resolve, size_t max_bytes,
                  const std::string& what);

} // namespace berth::runtime
