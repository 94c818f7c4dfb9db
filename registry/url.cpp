// Absolute http(s) URLs: parse, resolve, query building.
#include "registry/url.hpp"

#include <cctype>
#include <charconv>

#include "base/ascii.hpp"
#include "base/url_parts.hpp"

namespace berth::registry {

namespace {

/// Splits "host[:port]" or "[v6][:port]" into the url's host and port.
bool parse_authority(std::string_view text, url& out) {
  auto split = split_host_port(text);
  if (!split) return false;
  out.host = std::move(split->host);
  out.port = split->port != 0 ? split->port : default_port(out.scheme);
  return true;
}

/// The directory part of a path, up to and including its last '/'.
std::string_view directory_of(std::string_view target) {
  auto query = target.find('?');
  auto path = target.substr(0, query);
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view{"/"} : path.substr(0, slash + 1);
}

} // namespace

uint16_t default_port(std::string_view scheme) {
  if (scheme == "http") return 80;
  if (scheme == "https") return 443;
  return 0;
}

std::optional<url> url::parse(std::string_view text) {
  if (text.size() > max_url_length) return std::nullopt;
  auto sep = text.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  url out;
  out.scheme = ascii_lower(text.substr(0, sep));
  if (out.scheme != "http" && out.scheme != "https") return std::nullopt;
  auto rest = text.substr(sep + 3);
  rest = rest.substr(0, rest.find('#'));
  auto path_start = rest.find_first_of("/?");
  auto authority = rest.substr(0, path_start);
  if (authority.find('@') != std::string_view::npos) return std::nullopt;
  if (!parse_authority(authority, out)) return std::nullopt;
  out.target = path_start == std::string_view::npos ? "/" : std::string(rest.substr(path_start));
  if (out.target.starts_with('?')) out.target.insert(0, "/");
  for (char c : out.target)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return std::nullopt;
  return out;
}

std::string url::authority() const {
  if (port == default_port(scheme)) return url_host(host);
  return join_host_port(host, port);
}

std::string url::endpoint_key() const {
  return scheme + "://" + join_host_port(host, port);
}

std::string url::string() const {
  return scheme + "://" + authority() + target;
}

std::optional<url> url::resolve(std::string_view location) const {
  if (location.size() > max_url_length) return std::nullopt;
  if (location.find("://") != std::string_view::npos) return parse(location);
  if (location.starts_with("//")) return parse(scheme + ":" + std::string(location));
  url out = *this;
  if (location.empty()) return out;
  if (location.starts_with('/')) {
    out.target = std::string(location);
  } else if (location.starts_with('?')) {
    out.target = std::string(target.substr(0, target.find('?'))) + std::string(location);
  } else {
    out.target = std::string(directory_of(target)) + std::string(location);
  }
  out.target = out.target.substr(0, out.target.find('#'));
  return parse(out.string());
}

url url::with_query(std::string_view key, std::string_view value) const {
  url out = *this;
  out.target += out.target.find('?') == std::string::npos ? '?' : '&';
  out.target += percent_encode(key);
  out.target += '=';
  out.target += percent_encode(value);
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

} // namespace berth::registry
