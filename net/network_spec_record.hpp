// A network as Berth stores it, and its Docker API rendering (GET /networks/{id}, the entries
// of GET /networks).
//
// Pure data; thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include "base/ipv4.hpp"

namespace berth::net {

/// One IPAM.Config entry as the client sent it; rendered back verbatim by inspect.
struct ipam_config_spec {
  std::string subnet;
  std::string ip_range;
  std::string gateway;
  std::map<std::string, std::string> aux_addresses; ///< "AuxiliaryAddresses"
  bool operator==(const ipam_config_spec&) const = default;
};

/// What IPAM gave a network for one of its IPv4 configs (libnetwork's IpamInfo).
struct network_pool_info {
  ipv4_cidr subnet;
  std::optional<ipv4_address> gateway;
  bool operator==(const network_pool_info&) const = default;
};

/// A network's lasting description. Address allocations live in its `ipam_pool`s.
struct network_record {
  std::string id; ///< 64 hex characters
  std::string name;
  std::string driver = "bridge";
  std::string scope = "local";
  int64_t created = 0; ///< unix nanoseconds
  bool enable_ipv4 = true;
  bool enable_ipv6 = false;
  bool internal = false;
  bool attachable = false;
  bool ingress = false;
  std::string ipam_driver = "default";
  std::optional<std::map<std::string, std::string>> ipam_options; ///< null and {} differ
  std::vector<ipam_config_spec> ipam_configs;                     ///< as configured (may be empty)
  std::vector<network_pool_info> ipv4_pools;                      ///< as allocated
  std::map<std::string, std::string> options;                     ///< driver options
  std::map<std::string, std::string> labels;
  std::string bridge_name; ///< the Linux bridge ("" for drivers without one)
  bool operator==(const network_record&) const = default;
};

/// A container attached to the network, for "Containers" (EndpointResource).
struct network_endpoint_info {
  std::string container_id;
  std::string name;
  std::string endpoint_id;
  std::string mac_address;
  std::string ipv4_address; ///< "172.18.0.2/16", or ""
  std::string ipv6_address; ///< "" (Berth has no IPv6)
  bool operator==(const network_endpoint_info&) const = default;
};

/// The stored form (stable keys, independent of the API's).
[[nodiscard]] nlohmann::json network_record_to_json(const network_record& record);

/// Reads network_record_to_json(); malformed records are internal errors.
[[nodiscard]] caf::expected<network_record> network_record_from_json(const nlohmann::json& j);

/// The body of GET /networks/{id} (network.Inspect): IPAM.Config shows the user's configs, or
/// else the allocated subnets and gateways; Created is RFC 3339 with nanoseconds (UTC).
[[nodiscard]] nlohmann::json
network_inspect_json(const network_record& record,
                     const std::vector<network_endpoint_info>& containers);

/// The dockerd predefined network names ("bridge", "host", "none", "default").
[[nodiscard]] bool is_predefined_network_name(const std::string& name);

} // namespace berth::net
