// What the bridge driver asks of the packet filter: a network's forwarding and NAT policy, and the
// ports published to containers. Plain values; nft_table turns them into nftables rules.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "base/ipv4.hpp"

namespace berth::net {

/// The filter and NAT policy of one bridge network.
struct network_rules {
  std::string id;     ///< the network's ID (recorded in element comments; [A-Za-z0-9_.:-], ≤ 100)
  std::string bridge; ///< the bridge device, e.g. "br-3f2a1b0c9d8e" ([A-Za-z0-9_.-], ≤ 15)
  ipv4_cidr subnet;   ///< the network's subnet (host bits are ignored)
  bool masquerade = true; ///< ip-masq: traffic from the subnet leaving by another link is SNATed
  bool icc = true;        ///< containers on this bridge may talk to each other
  bool internal = false;  ///< no traffic between the bridge and any other link
  bool operator==(const network_rules&) const = default;
};

/// A transport protocol a port can be published for.
enum class ip_protocol : uint8_t { tcp, udp };

/// "tcp" or "udp".
[[nodiscard]] const char* to_string(ip_protocol p);

/// One published port: host_ip:host_port (proto) forwards to container_ip:container_port.
struct port_mapping {
  ip_protocol proto = ip_protocol::tcp;
  ipv4_address host_ip; ///< 0.0.0.0: every local address, including 127.0.0.1
  uint16_t host_port = 0;
  ipv4_address container_ip;
  uint16_t container_port = 0;
  std::string bridge; ///< the container's bridge (route_localnet is enabled on it); may be empty
  bool operator==(const port_mapping&) const = default;

  /// Whether this mapping and `other` claim the same host address, protocol and port.
  [[nodiscard]] bool same_host_side(const port_mapping& other) const {
    return proto == other.proto && host_ip == other.host_ip && host_port == other.host_port;
  }
};

/// The ports one owner (a container, or the endpoint that published them) has published.
struct owned_port_mappings {
  std::string owner; ///< [A-Za-z0-9_.:-], ≤ 100 characters
  std::vector<port_mapping> mappings;
  bool operator==(const owned_port_mappings&) const = default;
};

/// Checks a table prefix: a letter, then letters, digits, '_' or '-'; at most 32 characters.
[[nodiscard]] caf::error validate_table_prefix(std::string_view prefix);

/// Checks an ID or owner: 1–100 of [A-Za-z0-9_.:-] (it is written into nft scripts).
[[nodiscard]] caf::error validate_rule_owner(std::string_view what, std::string_view id);

/// Checks a network's ID, bridge name and subnet.
[[nodiscard]] caf::error validate(const network_rules& n);

/// Checks a mapping: ports non-zero, container address set, bridge name well formed (or empty).
[[nodiscard]] caf::error validate(const port_mapping& m);

} // namespace berth::net
