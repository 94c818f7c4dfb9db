// Registry credentials as the docker CLI sends them: the X-Registry-Auth header of pull and push
// (base64url of a JSON AuthConfig) and the JSON body of POST /auth.
// Trust: both are untrusted client input, bounded (max_auth_config_bytes). Credentials are
// never logged: these types have no streaming or formatting operators on purpose.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace berth::registry {

/// Largest encoded X-Registry-Auth value or POST /auth body accepted.
inline constexpr size_t max_auth_config_bytes = 64 * 1024;

/// Docker's AuthConfig.
struct registry_credentials {
  std::string username;
  std::string password;
  std::string auth; ///< base64("username:password"), filled in by some clients instead
  std::string server_address;
  std::string identity_token; ///< an OAuth refresh token from an earlier login
  std::string registry_token; ///< a bearer token to use as is

  /// True when there is nothing to authenticate with.
  [[nodiscard]] bool anonymous() const {
    return username.empty() && password.empty() && identity_token.empty() && registry_token.empty();
  }
  friend bool operator==(const registry_credentials&, const registry_credentials&) = default;
};

/// Decodes an X-Registry-Auth header like moby's authconfig.Decode: "" and "e30=" ("{}") give
/// anonymous credentials; the value is base64url (padding optional); the JSON is one object with
/// string fields (unknown fields ignored). When only `auth` is given, username and password come
/// from it. Errors are errc::invalid_argument, e.g. "invalid X-Registry-Auth header: must be a
/// valid base64url-encoded string".
[[nodiscard]] caf::expected<registry_credentials> decode_registry_auth(std::string_view header);

/// The credentials a client holds per registry, keyed as in its config.json ("127.0.0.1:5000",
/// "https://index.docker.io/v1/"): what `docker build` sends as X-Registry-Config.
using registry_auth_configs = std::map<std::string, registry_credentials>;

/// Decodes an X-Registry-Config header (base64url of a JSON object of AuthConfigs). "" is an
/// empty map; anything malformed is an errc::invalid_argument error (dockerd ignores such a
/// header: the caller decides).
[[nodiscard]] caf::expected<registry_auth_configs> decode_registry_config(std::string_view header);

/// Parses the JSON AuthConfig of POST /auth (same rules, without the base64 layer).
[[nodiscard]] caf::expected<registry_credentials> parse_auth_config(std::string_view json);

/// Encodes credentials as an X-Registry-Auth value (tests, clients).
[[nodiscard]] std::string encode_registry_auth(const registry_credentials& credentials);

} // namespace berth::registry
