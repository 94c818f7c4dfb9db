// Proxy selection for registry requests.
#include "registry/proxy_config.hpp"

#include <cstdlib>

#include "base/error.hpp"
#include "registry/http_types.hpp"

namespace berth::registry {

namespace {

proxy_setting resolve_one(const std::string& configured, const char* key, const char* upper,
                          const char* lower, const env_lookup& env) {
  if (!configured.empty()) return {configured, key};
  for (const char* name : {upper, lower}) {
    auto value = env ? env(name) : std::nullopt;
    if (value && !value->empty()) return {*value, std::string("environment variable ") + name};
  }
  return {};
}

caf::expected<std::optional<proxy_url>> parse_setting(const proxy_setting& setting) {
  if (setting.value.empty()) return std::optional<proxy_url>{};
  auto parsed = proxy_url::parse(setting.value);
  if (!parsed)
    return make_error(errc::invalid_argument,
                      "invalid " + setting.source + ": " + error_message(parsed.error()));
  return std::optional<proxy_url>{std::move(*parsed)};
}

/// Go's rule: requests to localhost and loopback addresses never use a proxy.
bool is_loopback(const std::string& host) {
  static const auto v4 = ip_prefix::parse("127.0.0.0/8");
  static const auto v6 = ip_prefix::parse("::1/128");
  return host == "localhost" || v4->contains(host) || v6->contains(host);
}

} // namespace

env_lookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

proxy_settings resolve_proxy_settings(const std::string& http_proxy, const std::string& https_proxy,
                                      const std::string& no_proxy, const env_lookup& env) {
  return {resolve_one(http_proxy, "http-proxy", "HTTP_PROXY", "http_proxy", env),
          resolve_one(https_proxy, "https-proxy", "HTTPS_PROXY", "https_proxy", env),
          resolve_one(no_proxy, "no-proxy", "NO_PROXY", "no_proxy", env)};
}

caf::expected<proxy_config> proxy_config::make(const proxy_settings& settings) {
  proxy_config out;
  auto http = parse_setting(settings.http);
  if (!http) return std::move(http.error());
  auto https = parse_setting(settings.https);
  if (!https) return std::move(https.error());
  out.http_ = std::move(*http);
  out.https_ = std::move(*https);
  out.no_proxy_ = no_proxy_list::parse(settings.no_proxy.value);
  return out;
}

const proxy_url* proxy_config::proxy_for(const url& target) const {
  const auto& proxy = target.tls() ? https_ : http_;
  if (!proxy) return nullptr;
  if (is_loopback(target.host) || no_proxy_.matches(target.host, target.port)) return nullptr;
  return &*proxy;
}

std::string proxy_authorization(const proxy_url& proxy) {
  if (!proxy.has_credentials) return {};
  return basic_authorization(proxy.username, proxy.password);
}

} // namespace berth::registry
