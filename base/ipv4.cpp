// IPv4 addresses and CIDR prefixes.
#include "base/ipv4.hpp"

#include <charconv>

namespace berth {

std::optional<ipv4_address> ipv4_address::parse(std::string_view text) {
  uint32_t value = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
    if (p == end || *p < '0' || *p > '9') return std::nullopt;
    if (*p == '0' && p + 1 != end && p[1] >= '0' && p[1] <= '9')
      return std::nullopt; // no leading zeros (ambiguous octal)
    unsigned octet = 0;
    auto [next, ec] = std::from_chars(p, end, octet);
    if (ec != std::errc{} || octet > 255) return std::nullopt;
    value = (value << 8) | octet;
    p = next;
  }
  if (p != end) return std::nullopt;
  return ipv4_address{value};
}

std::string ipv4_address::to_string() const {
  return std::to_string(value >> 24) + '.' + std::to_string((value >> 16) & 0xff) + '.' +
         std::to_string((value >> 8) & 0xff) + '.' + std::to_string(value & 0xff);
}

std::optional<ipv4_cidr> ipv4_cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto addr = ipv4_address::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  auto bits = text.substr(slash + 1);
  int prefix = -1;
  auto [p, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
  if (bits.empty() || ec != std::errc{} || p != bits.data() + bits.size() || prefix < 0 ||
      prefix > 32)
    return std::nullopt;
  return ipv4_cidr{*addr, prefix};
}

std::string ipv4_cidr::to_string() const {
  return address.to_string() + '/' + std::to_string(prefix);
}

uint32_t ipv4_cidr::mask() const {
  return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
}

ipv4_address ipv4_cidr::network() const {
  return {address.value & mask()};
}

ipv4_address ipv4_cidr::broadcast() const {
  return {address.value | ~mask()};
}

bool ipv4_cidr::contains(ipv4_address a) const {
  return (a.value & mask()) == network().value;
}

bool ipv4_cidr::overlaps(const ipv4_cidr& other) const {
  return contains(other.network()) || other.contains(network());
}

} // namespace berth
