// The nft commands behind each packet-filter change, as script text for `nft -f -` (which applies
// a whole script as one transaction). Pure functions: no I/O; inputs are validated by the caller.
//
// Layout (ip and bridge families, both tables named by the prefix):
//   ip <prefix>:  base chains prerouting/output (dstnat) → publish; postrouting (srcnat) and
//                 forward (filter) dispatch per bridge through verdict maps keyed by interface
//                 name to the network's own chains; published ports are elements of two maps
//                 (host address . proto . port, and proto . port for "any address").
//   bridge <prefix>: forward (filter) drops bridged IPv4 whose destination is in an icc=false
//                 subnet — container-to-container traffic never reaches the ip hooks without
//                 br_netfilter.
// Every element carries its network ID or owner in its comment, which is how removals find it.
#pragma once

#include <string>

#include "net/nft_rules.hpp"

namespace berth::net::nft_script {

/// The verdict maps that dispatch to a network's chains, in the order they are listed.
inline constexpr const char* jump_maps[] = {"forward_in", "forward_out", "postrouting_in",
                                            "postrouting_out"};

/// The name of the chain a jump map sends a bridge's traffic to, e.g. "forward_in-br0".
[[nodiscard]] std::string network_chain(std::string_view jump_map, std::string_view bridge);

/// Creates both tables with their maps, sets and base chains, and (re)writes the base chains'
/// rules. Idempotent: existing elements and network chains are kept.
[[nodiscard]] std::string ensure_tables(const std::string& prefix);

/// Deletes both tables; a missing table is not an error.
[[nodiscard]] std::string delete_tables(const std::string& prefix);

/// Creates (or rewrites) the network's chains and adds its jump elements and icc element.
/// Elements with the same keys must not exist (remove them earlier in the same script).
[[nodiscard]] std::string add_network(const std::string& prefix, const network_rules& n);

/// Deletes the element for `bridge` from jump map `map`.
[[nodiscard]] std::string delete_jump(const std::string& prefix, std::string_view map,
                                      const std::string& bridge);

/// Flushes and deletes a bridge's four network chains (also when they do not exist).
[[nodiscard]] std::string delete_network_chains(const std::string& prefix,
                                                const std::string& bridge);

/// Deletes an icc=false subnet from the bridge table.
[[nodiscard]] std::string delete_icc_off(const std::string& prefix, const ipv4_cidr& subnet);

/// Adds one published port owned by `owner`.
[[nodiscard]] std::string add_port(const std::string& prefix, const std::string& owner,
                                   const port_mapping& m);

/// Deletes the published port with m's host side.
[[nodiscard]] std::string delete_port(const std::string& prefix, const port_mapping& m);

} // namespace berth::net::nft_script
