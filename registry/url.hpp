// Absolute http(s) URLs as the registry client needs them: parse, resolve a redirect's Location,
// add query parameters. Trust: the input comes from registries (Location headers, token realms);
// it is bounded (max_url_length) and parsed without allocation-heavy machinery.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth::registry {

/// Longest URL accepted (registries' upload locations carry long state tokens).
inline constexpr size_t max_url_length = 16 * 1024;

/// An absolute http or https URL split into the parts a request needs.
struct url {
  std::string scheme; ///< "http" or "https"
  std::string host;   ///< "127.0.0.1", "registry-1.docker.io", "::1" (no brackets)
  uint16_t port = 0;  ///< explicit or the scheme's default
  std::string target; ///< path and query, "/v2/" at least "/"

  /// Parses "scheme://host[:port][/path][?query]" (a fragment is dropped). Only http and https,
  /// no user info. Nullopt for anything else.
  [[nodiscard]] static std::optional<url> parse(std::string_view text);

  /// "host:port" as written in a Host header: the port is left out when it is the default,
  /// IPv6 hosts are bracketed. This is also the name of a host's certs.d directory.
  [[nodiscard]] std::string authority() const;

  /// "host:port" always with the port, the key of a connection pool.
  [[nodiscard]] std::string endpoint_key() const;

  /// The whole URL text.
  [[nodiscard]] std::string string() const;

  /// True for https.
  [[nodiscard]] bool tls() const { return scheme == "https"; }

  /// Resolves a Location header value against this URL: absolute URLs, "//host/path",
  /// "/absolute/path" and "relative/path" (RFC 3986 section 5.2, without dot-segment removal).
  [[nodiscard]] std::optional<url> resolve(std::string_view location) const;

  /// This URL with `key=value` appended to the query (value percent-encoded).
  [[nodiscard]] url with_query(std::string_view key, std::string_view value) const;

  friend bool operator==(const url&, const url&) = default;
};

/// Percent-encodes everything but RFC 3986's unreserved characters.
[[nodiscard]] std::string percent_encode(std::string_view text);

/// The default port of "http" (80) or "https" (443); 0 for anything else.
[[nodiscard]] uint16_t default_port(std::string_view scheme);

} // namespace berth::registry
