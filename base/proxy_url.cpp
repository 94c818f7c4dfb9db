// Proxy URLs: parse and mask.
#include "base/proxy_url.hpp"

#include "base/ascii.hpp"
#include "base/error.hpp"
#include "base/url_parts.hpp"

namespace berth {

namespace {

caf::error invalid_proxy(std::string_view text, std::string_view why) {
  return make_error(errc::invalid_argument, "invalid proxy URL \"" + mask_proxy_credentials(text) +
                                                "\": " + std::string(why));
}

/// Splits "host[:port]" or "[v6][:port]" into `out`'s host and port; false when malformed.
bool parse_host_port(std::string_view authority, proxy_url& out) {
  auto split = split_host_port(authority);
  if (!split || split->empty_port) return false;
  out.host = std::move(split->host);
  out.port = split->port != 0 ? split->port : (out.scheme == "https" ? 443 : 80);
  return true;
}

} // namespace

caf::expected<proxy_url> proxy_url::parse(std::string_view text) {
  if (text.empty()) return invalid_proxy(text, "empty");
  if (text.size() > max_proxy_url_length) return invalid_proxy(text.substr(0, 64), "too long");
  // Go's httpproxy takes a bare "host[:port]" as an http proxy.
  std::string full = text.find("://") == std::string_view::npos ? "http://" + std::string(text)
                                                                : std::string(text);
  auto sep = full.find("://");
  proxy_url out;
  out.scheme = ascii_lower(std::string_view(full).substr(0, sep));
  if (out.scheme != "http" && out.scheme != "https")
    return invalid_proxy(text,
                         "unsupported scheme \"" + out.scheme + "\" (use http:// or https://)");
  auto rest = std::string_view(full).substr(sep + 3);
  // A proxy URL's path, query and fragment mean nothing to a proxy client.
  auto authority = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    auto userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = userinfo.find(':');
    auto user = percent_decode(userinfo.substr(0, colon));
    auto password = percent_decode(colon == std::string_view::npos ? std::string_view{}
                                                                   : userinfo.substr(colon + 1));
    if (!user || !password) return invalid_proxy(text, "invalid escape in the user information");
    out.has_credentials = true;
    out.username = std::move(*user);
    out.password = std::move(*password);
  }
  if (authority.empty() || authority.starts_with(':')) return invalid_proxy(text, "missing host");
  if (!parse_host_port(authority, out))
    return invalid_proxy(text, "invalid host or port \"" + std::string(authority) + "\"");
  return out;
}

std::string proxy_url::endpoint() const {
  return join_host_port(host, port);
}

std::string mask_proxy_credentials(std::string_view text) {
  auto sep = text.find("://");
  if (sep == std::string_view::npos) return std::string(text);
  auto rest = text.substr(sep + 3);
  auto authority = rest.substr(0, rest.find_first_of("/?#"));
  auto at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(text);
  return std::string(text.substr(0, sep + 3)) + "xxxxx:xxxxx" + std::string(rest.substr(at));
}

} // namespace berth
