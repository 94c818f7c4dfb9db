// Base64 as Docker's API and registries use it: standard encoding for Basic credentials, the
// `auth` field and docker cp's path-stat header, URL-safe decoding for X-Registry-Auth,
// URL-safe unpadded encoding for JWTs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace berth {

/// Standard alphabet, padded (RFC 4648 section 4).
[[nodiscard]] std::string base64_encode(std::string_view data);

/// URL-safe alphabet without padding (RFC 4648 section 5, as JWTs use it).
[[nodiscard]] std::string base64url_encode(std::string_view data);

/// Decodes either alphabet ('+' '/' or '-' '_'), with or without '=' padding. Nullopt for any
/// other character, misplaced padding or a truncated final group.
[[nodiscard]] std::optional<std::string> base64_decode(std::string_view text);

} // namespace berth
