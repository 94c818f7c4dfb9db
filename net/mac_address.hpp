// The MAC addresses Berth gives links: Docker's IP-derived container MACs and stable bridge MACs.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/ipv4.hpp"

namespace berth::net {

/// The six bytes of an Ethernet address.
using mac_bytes = std::array<uint8_t, 6>;

/// Parses "aa:bb:cc:dd:ee:ff" (either case); nullopt when malformed.
[[nodiscard]] std::optional<mac_bytes> parse_mac(std::string_view text);

/// Formats link-layer address bytes as lowercase "aa:bb:cc:dd:ee:ff".
[[nodiscard]] std::string format_mac(std::span<const uint8_t> bytes);

/// Docker's container MAC for an IPv4 address: 02:42 followed by the address's four bytes, e.g.
/// 02:42:ac:11:00:02 for 172.17.0.2 (locally administered, unicast).
[[nodiscard]] std::string mac_for(ipv4_address address);

/// A locally administered unicast MAC derived from a link name: the same name always gives the
/// same MAC (so a bridge keeps its MAC across daemon restarts), and it never starts with 02:42,
/// so it cannot collide with a container MAC from mac_for.
[[nodiscard]] std::string stable_mac_for_name(std::string_view name);

} // namespace berth::net
