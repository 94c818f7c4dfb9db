// The bridge driver's network options (`docker network create -o key=value`), read the way
// libnetwork's bridge driver reads them, with its error messages. Unknown keys are not errors:
// they stay in the network's Options untouched.
//
// Pure logic; thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

namespace berth::net {

/// Option keys (libnetwork/drivers/bridge/labels.go and libnetwork/netlabel).
namespace bridge_option {
inline constexpr std::string_view name = "com.docker.network.bridge.name";
inline constexpr std::string_view enable_icc = "com.docker.network.bridge.enable_icc";
inline constexpr std::string_view enable_ip_masquerade =
    "com.docker.network.bridge.enable_ip_masquerade";
inline constexpr std::string_view host_binding_ipv4 = "com.docker.network.bridge.host_binding_ipv4";
inline constexpr std::string_view default_bridge = "com.docker.network.bridge.default_bridge";
inline constexpr std::string_view gateway_mode_ipv4 = "com.docker.network.bridge.gateway_mode_ipv4";
inline constexpr std::string_view gateway_mode_ipv6 = "com.docker.network.bridge.gateway_mode_ipv6";
inline constexpr std::string_view inhibit_ipv4 = "com.docker.network.bridge.inhibit_ipv4";
inline constexpr std::string_view trusted_host_interfaces =
    "com.docker.network.bridge.trusted_host_interfaces";
inline constexpr std::string_view mtu = "com.docker.network.driver.mtu";
inline constexpr std::string_view container_iface_prefix =
    "com.docker.network.container_iface_prefix";
inline constexpr std::string_view host_ipv4 = "com.docker.network.host_ipv4";
inline constexpr std::string_view host_ipv6 = "com.docker.network.host_ipv6";
inline constexpr std::string_view enable_ipv4 = "com.docker.network.enable_ipv4";
inline constexpr std::string_view enable_ipv6 = "com.docker.network.enable_ipv6";
} // namespace bridge_option

/// What the bridge driver takes from a network's Options (defaults: libnetwork's).
struct bridge_options {
  std::string bridge_name; ///< "" = "br-" + the first 12 characters of the network ID
  bool enable_icc = true;
  bool enable_ip_masquerade = true;
  std::optional<std::string> host_binding_ip; ///< default host address of published ports
  bool default_bridge = false;
  std::string gateway_mode_ipv4; ///< "", "nat", "nat-unprotected", "routed", "isolated"
  std::string gateway_mode_ipv6;
  bool inhibit_ipv4 = false; ///< no gateway address on the bridge
  std::vector<std::string> trusted_host_interfaces;
  int64_t mtu = 0; ///< 0 = the daemon's default
  std::string container_iface_prefix;
  std::optional<std::string> host_ipv4; ///< SNAT source for the network's traffic
  std::optional<std::string> host_ipv6;
  std::optional<bool> enable_ipv4;
  std::optional<bool> enable_ipv6;
  bool operator==(const bridge_options&) const = default;
};

/// Reads the known keys of `options` (in key order), e.g. "failed to parse
/// com.docker.network.bridge.enable_icc value: yes (strconv.ParseBool: parsing \"yes\":
/// invalid syntax)" (invalid_argument). IP-valued options are stored in canonical text form.
[[nodiscard]] caf::expected<bridge_options>
parse_bridge_options(const std::map<std::string, std::string>& options);

/// The bridge's interface name: the option's, or "br-" + the first 12 characters of `network_id`.
[[nodiscard]] std::string bridge_interface_name(const bridge_options& options,
                                                const std::string& network_id);

} // namespace berth::net
