// Base64 as registries and the docker CLI use it: standard encoding for Basic credentials and
// the `auth` field, URL-safe decoding for X-Registry-Auth, URL-safe unpadded encoding for JWTs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace berth::registry {

/// Standard alphabet, padded (RFC 4648 section 4).
[[nodiscard]] std::string base64_encode(std::string_view data);

/// URL-safe alphabet without padding (RFC 4648 section 5, as JWTs use it).
[[nodiscard]] std::string base64url_encode(std::string_view data);

/// Decodes either alphabet ('+' '/' or '-' '_'), with or without '=' padding. Nullopt for any
/// other character, misplaced padding or a truncated final group.
[[nodiscard]] std::optional<std::string> base64_decode(std::string_view text);

} // namespace berth::registry
