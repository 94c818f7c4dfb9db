// A container's NetworkSettings in Docker's JSON shapes (inspect and list), and its Ports as
// `docker ps` and `docker port` read them.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/container_record.hpp"

namespace berth::api {

/// NetworkSettings.Networks: one EndpointSettings per configured network (addresses while
/// connected).
[[nodiscard]] nlohmann::json networks_json(const std::vector<actors::container_network>& networks);

/// NetworkSettings.Ports: empty unless running; then every exposed port and its bindings.
[[nodiscard]] nlohmann::json ports_json(const std::set<std::string>& exposed,
                                        const std::vector<net::published_port>& ports,
                                        bool running);

/// The whole NetworkSettings of container inspect.
[[nodiscard]] nlohmann::json network_settings_json(const actors::container_record& rec,
                                                   const std::string& sandbox_key);

} // namespace berth::api
