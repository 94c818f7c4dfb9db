// The URL of an HTTP proxy (daemon.json `proxies`, `--http-proxy`, HTTP_PROXY...) as a value:
// parsed the way Go's httpproxy reads it (a bare "host[:port]" means http://), with its optional
// user:password, and masked for display as dockerd masks it ("xxxxx:xxxxx"). The registry
// client dials it; the configuration validates with it.
// Trust: the text comes from the daemon's configuration or environment; it is bounded and a
// password never appears in an error message.
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace berth {

struct proxy_url {
  std::string scheme; ///< "http" (plain TCP to the proxy) or "https" (TLS to the proxy)
  std::string host;   ///< "proxy.example", "127.0.0.1", "::1" (lowercase, no brackets)
  uint16_t port = 0;  ///< explicit or the scheme's default (80, 443), as Go dials it
  bool has_credentials = false;
  std::string username; ///< percent-decoded
  std::string password; ///< percent-decoded

  /// Parses "scheme://[user[:password]@]host[:port][/...]" or "host[:port]" (path, query and
  /// fragment are ignored, as Go ignores them). Errors (errc::invalid_argument) quote the text
  /// with its credentials masked, e.g.
  /// `invalid proxy URL "ftp://p:21": unsupported scheme "ftp" (use http:// or https://)`.
  [[nodiscard]] static caf::expected<proxy_url> parse(std::string_view text);

  /// "host:port" (IPv6 bracketed): what is dialed and what error messages name.
  [[nodiscard]] std::string endpoint() const;

  friend bool operator==(const proxy_url&, const proxy_url&) = default;
};

/// Longest proxy URL accepted.
inline constexpr size_t max_proxy_url_length = 4096;

/// dockerd's MaskCredentials: a URL's user information replaced by "xxxxx:xxxxx"; text without
/// user information (or that is not a URL) is returned as it is.
[[nodiscard]] std::string mask_proxy_credentials(std::string_view text);

} // namespace berth
