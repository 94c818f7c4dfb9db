// Percent-escapes and URL authorities (see url_parts.hpp).
#include "base/url_parts.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <charconv>

#include "base/ascii.hpp"

namespace berth {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
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

} // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<host_port> split_host_port(std::string_view authority) {
  std::string_view host = authority;
  std::string_view port;
  bool colon = false;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      colon = true;
      port = rest.substr(1);
    }
    if (!valid_ipv6(host)) return std::nullopt;
  } else {
    auto at = authority.rfind(':');
    if (at != std::string_view::npos) {
      colon = true;
      host = authority.substr(0, at);
      port = authority.substr(at + 1);
    }
    if (!valid_host_name(host)) return std::nullopt;
  }
  host_port out;
  out.host = ascii_lower(host);
  out.empty_port = colon && port.empty();
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535)
      return std::nullopt;
    out.port = static_cast<uint16_t>(value);
  }
  return out;
}

std::string url_host(std::string_view host) {
  if (host.find(':') == std::string_view::npos) return std::string(host);
  return "[" + std::string(host) + "]";
}

std::string join_host_port(std::string_view host, uint16_t port) {
  return url_host(host) + ":" + std::to_string(port);
}

} // namespace berth
