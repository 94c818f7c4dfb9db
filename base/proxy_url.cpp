// Proxy URLs: parse and mask.
#include "base/proxy_url.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <charconv>
#include <optional>

#include "base/error.hpp"

namespace berth {

namespace {

caf::error invalid_proxy(std::string_view text, std::string_view why) {
  return make_error(errc::invalid_argument, "invalid proxy URL \"" + mask_proxy_credentials(text) +
                                                "\": " + std::string(why));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Percent-decodes user information; nullopt for a malformed escape.
std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int hi = hex_value(text[i + 1]);
    int lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool valid_host_name(std::string_view host) {
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
  });
}

bool valid_ipv6(std::string_view host) {
  unsigned char bytes[16];
  return ::inet_pton(AF_INET6, std::string(host).c_str(), bytes) == 1;
}

/// Splits "host[:port]" or "[v6][:port]" into `out`'s host and port; false when malformed.
bool parse_host_port(std::string_view authority, proxy_url& out) {
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = authority.substr(1, close - 1);
    auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
    }
    if (!valid_ipv6(host)) return false;
  } else {
    auto colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
    if (!valid_host_name(host)) return false;
  }
  out.host = lower(host);
  out.port = out.scheme == "https" ? 443 : 80;
  if (authority.ends_with(':')) return false;
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535)
      return false;
    out.port = static_cast<uint16_t>(value);
  }
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
  out.scheme = lower(std::string_view(full).substr(0, sep));
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
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
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
