// The route tables: the Docker Engine API and the metrics listener.
#pragma once

#include <memory>

#include "api/router.hpp"

namespace berth::api {

/// Every Docker Engine API route Berth serves.
[[nodiscard]] std::shared_ptr<router> make_docker_router();

/// GET /metrics for the Prometheus listener.
[[nodiscard]] std::shared_ptr<router> make_metrics_router();

// Per-area registration, one file each.
void add_system_routes(router& r);
void add_events_routes(router& r);
void add_image_routes(router& r);
void add_container_routes(router& r);
void add_network_routes(router& r);
void add_swarm_routes(router& r);
void add_volume_routes(router& r);
void add_container_tool_routes(router& r);
void add_exec_routes(router& r);
void add_stats_routes(router& r);
void add_archive_routes(router& r);
void add_commit_routes(router& r);
void add_build_routes(router& r);
void add_distribution_routes(router& r);

/// POST /images/create?fromImage=...: docker pull (image_routes' create hands pulls over).
void pull_image(const std::shared_ptr<exchange>& ex);

} // namespace berth::api
