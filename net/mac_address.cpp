// MAC addresses for containers and bridges.
#include "net/mac_address.hpp"

#include <charconv>

namespace berth::net {

namespace {

// 64-bit FNV-1a: small, stable across builds and platforms (std::hash is neither).
uint64_t fnv1a(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

} // namespace

std::optional<mac_bytes> parse_mac(std::string_view text) {
  mac_bytes bytes{};
  if (text.size() != 17) return std::nullopt;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char* first = text.data() + i * 3;
    auto [end, ec] = std::from_chars(first, first + 2, bytes[i], 16);
    if (ec != std::errc{} || end != first + 2 || (i < 5 && first[2] != ':')) return std::nullopt;
  }
  return bytes;
}

std::string format_mac(std::span<const uint8_t> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0) out += ':';
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 0xf];
  }
  return out;
}

std::string mac_for(ipv4_address address) {
  return format_mac(mac_bytes{0x02, 0x42, static_cast<uint8_t>(address.value >> 24),
                              static_cast<uint8_t>(address.value >> 16),
                              static_cast<uint8_t>(address.value >> 8),
                              static_cast<uint8_t>(address.value)});
}

std::string stable_mac_for_name(std::string_view name) {
  uint64_t hash = fnv1a(name);
  mac_bytes bytes{};
  bytes[0] = 0x02; // locally administered, unicast
  for (size_t i = 1; i < bytes.size(); ++i)
    bytes[i] = static_cast<uint8_t>(hash >> (8 * (i - 1)));
  if (bytes[1] == 0x42) // keep clear of Docker's 02:42 container range
    bytes[1] = 0x43;
  return format_mac(bytes);
}

} // namespace berth::net
