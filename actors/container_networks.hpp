// Which networks a container is created on: HostConfig.NetworkMode plus
// NetworkingConfig.EndpointsConfig (aliases, --ip, --mac-address), checked with dockerd's
// messages. Pure logic.
#pragma once

#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include "actors/container_record.hpp"

namespace berth::actors {

/// The networks of a new container, primary first: none for "container:<id>", one entry named
/// "host" or "none" for those modes, else the mode's network followed by the other entries of
/// EndpointsConfig (API ≥ 1.44 connects them all at create). Errors (invalid_argument):
/// "network-scoped alias is supported only for containers in user defined networks", "invalid
/// IPv4 address: x", "container cannot be connected to multiple networks with one of the networks
/// in private (none) mode", malformed EndpointsConfig.
[[nodiscard]] caf::expected<std::vector<container_network>>
networks_for_create(const nlohmann::json& body, const runtime::host_config& host,
                    const runtime::container_config& config);

/// Whether `name` is a network the daemon never makes endpoints on ("host", "none").
[[nodiscard]] bool is_endpointless_network(const std::string& name);

} // namespace berth::actors
