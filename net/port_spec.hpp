// Published ports as dockerd 28 derives them from a container's configuration (-p, -P,
// EXPOSE), groups them per host address like libnetwork's bridge driver, and renders them for
// inspect (NetworkSettings.Ports) and for the container list (Ports).
//
// Pure logic; thread-safe (no shared state). Host ports are chosen by `port_allocator`
// (port_spec_allocator.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include "runtime/container_config.hpp"

namespace berth::net {

/// A container port, e.g. 80/tcp (libnetwork's TransportPort). `proto` is lower case; a
/// protocol libnetwork does not know is "0", as dockerd renders it.
struct transport_port {
  std::string proto;
  uint16_t port = 0;
  auto operator<=>(const transport_port&) const = default;
};

/// nat.SplitProtoPort: "80/udp" → {"udp", "80"}, "80" and "80/" → {"tcp", "80"}; "" or a
/// value starting with '/' → {"", ""}. The protocol is returned as written.
[[nodiscard]] std::pair<std::string, std::string> split_proto_port(const std::string& raw);

/// nat.ParsePortRangeToInt: "" → 0-0, "8080" → 8080-8080, "8080-8090" (a third part is
/// ignored, as in Go). Errors (invalid_argument) carry Go's text: "strconv.ParseUint: parsing
/// \"x\": invalid syntax" (or ": value out of range"), "invalid range specified for port: 9-8".
[[nodiscard]] caf::expected<std::pair<uint16_t, uint16_t>>
parse_port_range(const std::string& text);

/// One requested binding (libnetwork's PortBinding as configured).
struct port_binding_request {
  std::string proto;
  uint16_t container_port = 0;
  std::string host_ip;        ///< canonical address, or "" for the default binding address
  uint16_t host_port = 0;     ///< 0 with host_port_end 0: an ephemeral port
  uint16_t host_port_end = 0; ///< a range [host_port, host_port_end]: one port from it
  bool operator==(const port_binding_request&) const = default;
};

/// What a container asks for: its exposed ports and the bindings to publish.
struct port_requests {
  std::vector<transport_port> exposed;
  std::vector<port_binding_request> published;
  bool operator==(const port_requests&) const = default;
};

/// dockerd's buildPortsRelatedCreateEndpointOptions: for each port of ExposedPorts (only those:
/// bindings of ports that are not exposed are ignored, as in dockerd, whose clients add them),
/// its HostConfig.PortBindings, or — with PublishAllPorts — one ephemeral binding when it has
/// none. A HostPort of "" is ephemeral, "8080" exact, "8080-8090" a range; a HostIp that is not
/// an address means the default binding address, as in dockerd. Error "error parsing HostPort
/// value (x): strconv.ParseUint: parsing \"x\": invalid syntax" (invalid_argument).
[[nodiscard]] caf::expected<port_requests>
port_requests_from_config(const std::set<std::string>& exposed_ports,
                          const std::map<std::string, std::vector<runtime::port_binding>>& bindings,
                          bool publish_all_ports);

/// How the bridge network maps ports.
struct port_mapping_options {
  std::string default_host_ip = "0.0.0.0"; ///< host_binding_ipv4 option, or the daemon's --ip
  /// The userland proxy forwards host IPv6 addresses to the container's IPv4 address (dockerd
  /// does this when docker-proxy is enabled).
  bool ipv6_to_ipv4_proxy = false;
  /// The host can listen on IPv6: an unaddressed binding also gets "::" (with the proxy).
  bool host_ipv6_listenable = false;
};

/// Bindings that must get the same host port: one request expanded to its host addresses, or
/// requests that differ only in host address.
struct port_binding_group {
  std::string proto;
  uint16_t container_port = 0;
  uint16_t host_port = 0; ///< with host_port_end: 0/0 ephemeral, equal exact, else a range
  uint16_t host_port_end = 0;
  std::vector<std::string> host_ips; ///< canonical, e.g. {"0.0.0.0", "::"}
  bool operator==(const port_binding_group&) const = default;
};

/// libnetwork's addPortMappings before allocation: requests sorted (exact ports before ranges,
/// then by container port, protocol, host ports, host address), each given its host addresses
/// (the default binding address for "", plus "::" when the host can listen on IPv6 and the
/// proxy forwards it; explicit IPv6 addresses only through the proxy), and grouped.
[[nodiscard]] std::vector<port_binding_group>
plan_port_bindings(const std::vector<port_binding_request>& published,
                   const port_mapping_options& options);

/// One binding made: a host address and port forwarded to the container port.
struct published_port {
  std::string proto;
  std::string host_ip;
  uint16_t host_port = 0;
  uint16_t container_port = 0;
  bool operator==(const published_port&) const = default;
};

/// NetworkSettings.Ports: every exposed port ("80/tcp": null when unpublished) and the
/// bindings of each published one ({"HostIp": "0.0.0.0", "HostPort": "8080"}), in `mappings`
/// order.
[[nodiscard]] nlohmann::json network_settings_ports(const std::vector<transport_port>& exposed,
                                                    const std::vector<published_port>& mappings);

/// The Ports of GET /containers/json, from NetworkSettings.Ports: {"PrivatePort", "Type"} for
/// unpublished ports, plus "IP" and "PublicPort" for each binding.
[[nodiscard]] nlohmann::json container_summary_ports(const nlohmann::json& network_settings_ports);

} // namespace berth::net
