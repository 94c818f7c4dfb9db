// An IPv4 or IPv6 address as Go's net.ParseIP and netip.Addr read, print and order them: used
// where Docker accepts either family (host binding addresses, published ports' HostIp).
//
// Pure logic; thread-safe (no shared state).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth::net {

/// An IP address of either family; IPv4-mapped IPv6 addresses are held as IPv4 (Go's Unmap).
struct ip_address {
  int family = 4;                  ///< 4 or 6
  std::array<uint8_t, 16> bytes{}; ///< IPv4 in the first 4 bytes

  /// Parses dotted IPv4 (no leading zeros) or IPv6 text (no zone); nullopt otherwise.
  [[nodiscard]] static std::optional<ip_address> parse(std::string_view text);
  [[nodiscard]] static ip_address ipv4_any() { return {}; }
  [[nodiscard]] static ip_address ipv6_any() { return {6, {}}; }

  /// Go's String(): "1.2.3.4", "::", "fe80::1".
  [[nodiscard]] std::string to_string() const;
  /// 0.0.0.0 or ::.
  [[nodiscard]] bool is_unspecified() const;
  [[nodiscard]] bool is_ipv4() const { return family == 4; }

  /// netip.Addr.Compare: IPv4 before IPv6, then by address.
  auto operator<=>(const ip_address&) const = default;
};

/// Canonical text of an address (see ip_address::to_string); nullopt when `text` is not one.
[[nodiscard]] std::optional<std::string> canonical_ip(std::string_view text);

} // namespace berth::net
