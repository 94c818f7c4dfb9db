// Random identifiers from the kernel's CSPRNG: 64-hex object IDs and UUIDs.
#pragma once

#include <string>

namespace berth {

/// `bytes` random bytes as lower-case hex (2 × bytes characters).
[[nodiscard]] std::string random_hex(size_t bytes);

/// A random (version 4) UUID, e.g. "3f2b...-...".
[[nodiscard]] std::string random_uuid();

} // namespace berth
