// The IPAM side of network creation: dockerd's checks of IPAM.Config (network.ValidateIPAM)
// and libnetwork's view of which static pools may be added to the local address space.
//
// Pure logic; thread-safe (no shared state).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <caf/error.hpp>

#include "base/ipv4.hpp"
#include "net/ipam.hpp"
#include "net/network_spec_record.hpp"

namespace berth::net {

/// network.ValidateIPAM for IPv4 configs: every problem of every config, joined as dockerd
/// joins them ("invalid network config:\n* a\n* b"), invalid_argument.
[[nodiscard]] caf::error validate_ipam_configs(const std::vector<ipam_config_spec>& configs);

/// dockerd's joined errors (multierror.Join): one message as is, several as "* a\n* b" with
/// continuation lines indented.
[[nodiscard]] std::string join_errors(const std::vector<std::string>& errs);

/// Whether a config's subnet is an IPv6 prefix (Berth refuses those).
[[nodiscard]] bool is_ipv6_subnet(const std::string& subnet);

/// The parsed form of a config that passed validate_ipam_configs (subnet non-empty).
[[nodiscard]] ipam_config to_ipam_config(const ipam_config_spec& spec);

/// The pools of libnetwork's local IPv4 address space: each subnet with the ip-ranges
/// ("children") carved from it.
class address_space {
 public:
  /// The pools of `networks`: their configured subnets and ranges, or their allocated subnets.
  explicit address_space(const std::vector<network_record>& networks);

  /// Adds a static pool the way allocateSubnet does, or refuses it with "invalid pool request:
  /// Pool overlaps with other one on this address space" (forbidden).
  [[nodiscard]] caf::error add(const ipv4_cidr& subnet, const std::optional<ipv4_cidr>& ip_range);

  /// Every subnet in the space (what dynamic allocation must avoid).
  [[nodiscard]] std::vector<ipv4_cidr> subnets() const;

 private:
  struct pool {
    ipv4_cidr subnet;
    std::set<std::pair<uint32_t, int>> children; ///< (network, prefix) of each ip-range
  };
  pool* find(const ipv4_cidr& subnet);
  std::vector<pool> pools_;
};

} // namespace berth::net
