// POST /networks/create as dockerd 28 takes it: the body decoded with Go's rules, checked in
// dockerd's order with its messages, and turned into a network record with its address pools.
// Berth supports the bridge driver and the default IPAM driver, IPv4 only.
//
// Pure logic: the caller supplies what exists (networks, host routes) and then creates the
// bridge. Thread-safe (no shared state).
//
// Untrusted input: the body comes from API clients. It is bounded by the API's body limit; the
// only allocations are per field, and nothing here loops over more than the body holds.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include "base/ipv4.hpp"
#include "net/ipam.hpp"
#include "net/ipam_subnets.hpp"
#include "net/network_spec_bridge.hpp"
#include "net/network_spec_record.hpp"

namespace berth::net {

/// The body of POST /networks/create (network.CreateRequest).
struct network_create_request {
  std::string name;
  std::optional<bool> check_duplicate; ///< deprecated; names are always unique
  std::string driver;                  ///< "" = bridge
  std::string scope;                   ///< "" = local
  std::optional<bool> enable_ipv4;
  std::optional<bool> enable_ipv6;
  bool has_ipam = false; ///< the IPAM object was present
  std::string ipam_driver;
  std::optional<std::map<std::string, std::string>> ipam_options;
  std::vector<ipam_config_spec> ipam_configs;
  bool internal = false;
  bool attachable = false;
  bool ingress = false;
  bool config_only = false;
  std::optional<std::string> config_from; ///< ConfigFrom.Network, when ConfigFrom is present
  std::map<std::string, std::string> options;
  std::map<std::string, std::string> labels;
  bool operator==(const network_create_request&) const = default;
};

/// Decodes the body like Go's encoding/json into network.CreateRequest: unknown keys ignored,
/// keys matched case-insensitively, wrong types refused ("invalid JSON: json: cannot unmarshal
/// string into Go struct field CreateRequest.Internal of type bool"). EnableIPv4 arrived with
/// API 1.48: pass `api_has_enable_ipv4` = false for older clients and it is ignored.
[[nodiscard]] caf::expected<network_create_request>
parse_network_create(const nlohmann::json& body, bool api_has_enable_ipv4 = true);

/// What the daemon knows when a network is created.
struct network_create_context {
  std::string id;      ///< the new network's ID (64 hex characters)
  int64_t created = 0; ///< unix nanoseconds
  std::vector<network_record> existing;
  std::vector<predefined_pool> address_pools = default_local_address_pools();
  std::vector<ipv4_cidr>
      reserved; ///< host on-link routes and nameservers (dynamic subnets avoid them)
  /// `default-network-opts`: driver name → options applied when the request lacks them.
  std::map<std::string, std::map<std::string, std::string>> default_network_opts;
  bool allow_predefined_name = false; ///< for the daemon's own "bridge" network
};

/// A network ready to be created: its record, its IPv4 pools and its bridge options.
struct network_plan {
  network_record record;
  std::vector<ipam_pool> pools;
  bridge_options bridge;
};

/// Checks `request` in dockerd's order and allocates its subnets and gateway:
/// predefined names; driver (host/null: "only one instance of \"host\" network is allowed";
/// overlay: the swarm message; unknown: "plugin \"x\" not found"; macvlan/ipvlan: not
/// supported); EnableIPv4/EnableIPv6 and their driver options; IPAM.Config ("invalid network
/// config:\n..."); IPv6 (not supported); the name (blank, or "network with name x already
/// exists"); ConfigOnly/ConfigFrom (not supported); Ingress and Scope; bridge options; IPAM
/// driver and pools (subnets picked from the address pools, overlaps refused); then the bridge
/// driver's checks (multiple subnets, MTU, conflicts with other bridges).
[[nodiscard]] caf::expected<network_plan>
plan_network_create(const network_create_request& request, const network_create_context& context);

/// Whether the static pool `subnet` (with `ip_range`, if any) can be added next to `existing`,
/// as libnetwork's address space decides: a subnet overlapping an existing pool is refused with
/// "invalid pool request: Pool overlaps with other one on this address space" (forbidden) —
/// except that a request with an ip-range is not checked against pools it does not equal
/// (libnetwork's quirk, moby#46756; the bridge driver's conflict check catches those).
[[nodiscard]] caf::error find_overlap(const ipv4_cidr& subnet,
                                      const std::optional<ipv4_cidr>& ip_range,
                                      const std::vector<network_record>& existing);

/// The bridge driver's conflict check against the other bridge networks: same bridge name or
/// overlapping IPv4 subnets, "cannot create network <id> (<bridge>): conflicts with network
/// <id> (<bridge>): networks have overlapping IPv4" (forbidden).
[[nodiscard]] caf::error find_bridge_conflict(const network_record& candidate,
                                              const std::vector<network_record>& existing);

/// dockerd's checks of a container's static addresses on a network (--ip/--ip6, from
/// EndpointSettings.IPAMConfig) before connecting: `network_mode` is the name the container
/// used for the network ("bridge" for the default one). Errors are "invalid endpoint
/// settings:\n..." with, e.g., "user specified IP address is supported on user defined
/// networks only", "invalid IPv4 address: x", "no configured subnet or ip-range contain the IP
/// address 10.9.0.5", "user specified IP address is supported only when connecting to networks
/// with user configured subnets".
[[nodiscard]] caf::error validate_endpoint_addresses(const network_record& network,
                                                     const std::string& network_mode,
                                                     const std::string& ipv4_address,
                                                     const std::string& ipv6_address);

} // namespace berth::net
