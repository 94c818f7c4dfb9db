// IP addresses of either family, as Go reads and prints them.
#include "net/ipam_ip_address.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cstdio>

#include "base/ipv4.hpp"

namespace berth::net {

namespace {

bool is_ipv4_mapped(const std::array<uint8_t, 16>& b) {
  return std::all_of(b.begin(), b.begin() + 10, [](uint8_t x) { return x == 0; }) &&
         b[10] == 0xff && b[11] == 0xff;
}

} // namespace

std::optional<ip_address> ip_address::parse(std::string_view text) {
  if (auto v4 = ipv4_address::parse(text)) {
    ip_address a;
    for (int i = 0; i < 4; ++i)
      a.bytes[i] = static_cast<uint8_t>(v4->value >> (24 - 8 * i));
    return a;
  }
  if (text.find(':') == std::string_view::npos || text.size() > INET6_ADDRSTRLEN)
    return std::nullopt;
  std::string copy(text);
  ip_address a{6, {}};
  if (::inet_pton(AF_INET6, copy.c_str(), a.bytes.data()) != 1) return std::nullopt;
  if (is_ipv4_mapped(a.bytes)) {
    ip_address v4;
    std::copy(a.bytes.begin() + 12, a.bytes.end(), v4.bytes.begin());
    return v4;
  }
  return a;
}

std::string ip_address::to_string() const {
  if (family == 4) {
    return std::to_string(bytes[0]) + '.' + std::to_string(bytes[1]) + '.' +
           std::to_string(bytes[2]) + '.' + std::to_string(bytes[3]);
  }
  // RFC 5952 like Go: the first longest run (of two or more) of zero groups becomes "::"
  // (glibc's inet_ntop would print some of these with an embedded IPv4 address).
  std::array<unsigned, 8> words{};
  for (size_t i = 0; i < 8; ++i)
    words[i] = (unsigned{bytes[2 * i]} << 8) | bytes[2 * i + 1];
  int best = -1, best_len = 1;
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && words[j] == 0)
      ++j;
    if (j - i > best_len) best = i, best_len = j - i;
    i = j == i ? i + 1 : j;
  }
  std::string out;
  char hex[8];
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(hex, sizeof hex, "%x", words[i]);
    out += hex;
  }
  return out;
}

bool ip_address::is_unspecified() const {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t x) { return x == 0; });
}

std::optional<std::string> canonical_ip(std::string_view text) {
  auto a = ip_address::parse(text);
  if (!a) return std::nullopt;
  return a->to_string();
}

} // namespace berth::net
