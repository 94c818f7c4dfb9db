// WWW-Authenticate challenges (RFC 7235) as registries send them:
// `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="..."` and
// `Basic realm="Registry Realm"`. Trust: untrusted header text, bounded by the HTTP client's
// head limit; parsed in one linear pass.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace berth::registry {

struct auth_challenge {
  std::string scheme;                        ///< lower case: "bearer", "basic"
  std::map<std::string, std::string> params; ///< keys lower case, values unquoted

  /// A parameter's value, or "" when absent.
  [[nodiscard]] std::string param(std::string_view key) const;
  friend bool operator==(const auth_challenge&, const auth_challenge&) = default;
};

/// Parses one header value, which may hold several challenges ("Basic realm=x, Bearer
/// realm=y"). Malformed parameters are skipped; a value without a scheme gives nothing.
[[nodiscard]] std::vector<auth_challenge> parse_www_authenticate(std::string_view value);

/// Parses every value in `values` (several WWW-Authenticate headers).
[[nodiscard]] std::vector<auth_challenge>
parse_www_authenticate(const std::vector<std::string_view>& values);

} // namespace berth::registry
