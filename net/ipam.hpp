// Address management inside one network subnet, as libnetwork's default IPAM driver does it: the
// network and broadcast addresses, the gateway and the auxiliary addresses are reserved, and
// containers get the lowest free address of the ip-range (or of the subnet).
//
// Pure logic, no I/O. An `ipam_pool` is a plain value: not thread-safe, owned by one actor.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include "base/ipv4.hpp"

namespace berth::net {

/// One IPv4 entry of a network's IPAM.Config, parsed (the textual form stays in network_spec).
struct ipam_config {
  ipv4_cidr subnet;                                  ///< canonical (host bits clear)
  std::optional<ipv4_cidr> ip_range;                 ///< canonical, inside `subnet`
  std::optional<ipv4_address> gateway;               ///< chosen by the user
  std::map<std::string, ipv4_address> aux_addresses; ///< reserved, never given to containers
  bool operator==(const ipam_config&) const = default;
};

/// The addresses of one subnet: which are taken, and the choice of the next one.
///
/// Allocation is libnetwork's for local-scope networks: dockerd passes no "serial" option to
/// the default IPAM for endpoints, so every request takes the lowest free address, and a
/// released address is handed out again by the next request.
class ipam_pool {
 public:
  /// Makes the pool of `config` and reserves its fixed addresses the way libnetwork does at
  /// network creation: network and broadcast (except in /31 and /32), then the gateway (the
  /// user's, or else — when `allocate_gateway` — the lowest free address of the ip-range or
  /// subnet), then each auxiliary address (by name order). Errors carry dockerd's messages:
  /// "failed to allocate gateway (10.0.0.0): Address already in use" (internal),
  /// "auxiliary address: (a:10.1.0.1) must belong to the master pool: 10.0.0.0/24" (forbidden),
  /// "failed to allocate secondary ip address (a:10.0.0.1): Address already in use" (internal).
  [[nodiscard]] static caf::expected<ipam_pool> create(const ipam_config& config,
                                                       bool allocate_gateway = true);

  /// The configuration this pool was made from.
  [[nodiscard]] const ipam_config& config() const { return config_; }
  [[nodiscard]] const ipv4_cidr& subnet() const { return config_.subnet; }
  /// The gateway: the user's, the one chosen at creation, or none (allocate_gateway = false).
  [[nodiscard]] const std::optional<ipv4_address>& gateway() const { return gateway_; }

  /// The lowest free address of the ip-range (or of the subnet when there is none). Error
  /// "no available addresses on this pool" (unavailable) when every address is taken.
  [[nodiscard]] caf::expected<ipv4_address> allocate();

  /// Takes `preferred` (--ip): it must be inside the subnet (the ip-range does not limit it).
  /// Errors: "requested address is out of range" (invalid_argument), "Address already in use"
  /// (forbidden).
  [[nodiscard]] caf::expected<ipv4_address> allocate(ipv4_address preferred);

  /// Gives `address` back. Releasing a free address is not an error; the network and broadcast
  /// reservations are never released. Error "requested address is out of range" outside the
  /// subnet.
  [[nodiscard]] caf::error release(ipv4_address address);

  /// Whether `address` is taken (by a container, the gateway, an auxiliary address or a
  /// network/broadcast reservation).
  [[nodiscard]] bool in_use(ipv4_address address) const;

  /// The addresses handed out by allocate(), in order.
  [[nodiscard]] std::vector<ipv4_address> allocated() const;

  /// The persistent form: {"Subnet", "IPRange", "Gateway", "AuxiliaryAddresses", "Allocated"}.
  [[nodiscard]] nlohmann::json to_json() const;

  /// Rebuilds a pool from to_json(); a record that contradicts itself is an internal error.
  [[nodiscard]] static caf::expected<ipam_pool> from_json(const nlohmann::json& j);

 private:
  ipam_pool() = default;
  [[nodiscard]] bool reserved_for_network(ipv4_address address) const;
  [[nodiscard]] caf::expected<ipv4_address> take_lowest_free();
  [[nodiscard]] caf::error take(ipv4_address address);

  ipam_config config_;
  std::optional<ipv4_address> gateway_;
  std::set<uint32_t> taken_; ///< every reserved or allocated address (host byte order)
};

/// Takes an address for an endpoint from a network's pools as libnetwork's endpoint does:
/// `preferred` goes to the pool whose subnet holds it; otherwise each pool is tried in turn.
/// Errors: "invalid address 10.9.0.5: It does not belong to any of this network's subnets"
/// (invalid_argument), "no available IPv4 addresses on this network's address pools: name (id)"
/// (internal), or the pool's own error. Returns the address with its subnet's prefix length.
[[nodiscard]] caf::expected<ipv4_cidr>
allocate_endpoint_address(std::vector<ipam_pool>& pools, std::optional<ipv4_address> preferred,
                          const std::string& network_name, const std::string& network_id);

} // namespace berth::net
