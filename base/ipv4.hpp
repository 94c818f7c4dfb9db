// IPv4 addresses and CIDR prefixes as values: parse, format, contain, overlap.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth {

/// An IPv4 address in host byte order.
struct ipv4_address {
  uint32_t value = 0;

  [[nodiscard]] static std::optional<ipv4_address> parse(std::string_view text);
  [[nodiscard]] std::string to_string() const;
  auto operator<=>(const ipv4_address&) const = default;
};

/// An address with a prefix length, e.g. 172.17.0.1/16 (the address need not be the network).
struct ipv4_cidr {
  ipv4_address address;
  int prefix = 0;

  /// Parses "a.b.c.d/n" (n in 0..32).
  [[nodiscard]] static std::optional<ipv4_cidr> parse(std::string_view text);
  [[nodiscard]] std::string to_string() const;

  [[nodiscard]] uint32_t mask() const;
  /// The network address (host bits cleared).
  [[nodiscard]] ipv4_address network() const;
  /// The broadcast address (host bits set).
  [[nodiscard]] ipv4_address broadcast() const;
  /// This prefix with the host bits cleared, e.g. 172.17.0.0/16.
  [[nodiscard]] ipv4_cidr canonical() const { return {network(), prefix}; }
  [[nodiscard]] bool contains(ipv4_address a) const;
  [[nodiscard]] bool overlaps(const ipv4_cidr& other) const;
  bool operator==(const ipv4_cidr&) const = default;
};

} // namespace berth
