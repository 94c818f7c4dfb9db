// Which proxy the registry client uses for a request, as Go's http.ProxyFromEnvironment decides
// for dockerd: `http-proxy` for http URLs, `https-proxy` for https ones, none when NO_PROXY
// matches, and never for "localhost" or loopback addresses. The settings come from daemon.json
// `proxies` or the flags, else (key by key) from the daemon's environment: HTTP_PROXY or
// http_proxy, HTTPS_PROXY or https_proxy, NO_PROXY or no_proxy.
// Thread-safety: values; const functions are safe from any thread.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <caf/expected.hpp>

#include "base/proxy_url.hpp"
#include "registry/no_proxy.hpp"
#include "registry/url.hpp"

namespace berth::registry {

/// One proxy setting and where it came from ("http-proxy", "environment variable HTTP_PROXY"),
/// for error messages; an empty value is unset.
struct proxy_setting {
  std::string value;
  std::string source;
  friend bool operator==(const proxy_setting&, const proxy_setting&) = default;
};

struct proxy_settings {
  proxy_setting http;
  proxy_setting https;
  proxy_setting no_proxy;
  friend bool operator==(const proxy_settings&, const proxy_settings&) = default;
};

/// Reads an environment variable; nullopt when unset.
using env_lookup = std::function<std::optional<std::string>(const std::string& name)>;

/// The process's environment (getenv).
[[nodiscard]] env_lookup process_environment();

/// dockerd's precedence: each configured value (flag or daemon.json) when not empty, else the
/// first non-empty of the environment's upper- and lowercase names.
[[nodiscard]] proxy_settings resolve_proxy_settings(const std::string& http_proxy,
                                                    const std::string& https_proxy,
                                                    const std::string& no_proxy,
                                                    const env_lookup& env);

class proxy_config {
 public:
  /// No proxy: every request goes direct.
  proxy_config() = default;

  /// Parses the settings. Errors (errc::invalid_argument) name the setting, e.g. `invalid
  /// environment variable HTTPS_PROXY: invalid proxy URL "ftp://p": unsupported scheme ...`.
  [[nodiscard]] static caf::expected<proxy_config> make(const proxy_settings& settings);

  /// The proxy for `target`, or null for a direct connection.
  [[nodiscard]] const proxy_url* proxy_for(const url& target) const;

  [[nodiscard]] bool enabled() const { return http_.has_value() || https_.has_value(); }

 private:
  std::optional<proxy_url> http_;
  std::optional<proxy_url> https_;
  no_proxy_list no_proxy_;
};

/// The Proxy-Authorization value for `proxy`'s user:password ("Basic ..."); empty without.
[[nodiscard]] std::string proxy_authorization(const proxy_url& proxy);

} // namespace berth::registry
