// Containers in Docker's JSON shapes: inspect, list summaries, and the status texts of `docker ps`.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "actors/container_record.hpp"
#include "actors/containers_manager.hpp"
#include "api/api_version.hpp"

namespace berth::api {

/// go-units' HumanDuration: "Less than a second", "3 seconds", "About a minute", "2 hours"...
[[nodiscard]] std::string human_duration(int64_t nanos);

/// `docker ps` Status: "Up 2 minutes", "Exited (3) 5 seconds ago", "Created", ...
[[nodiscard]] std::string status_text(const actors::container_summary& s, int64_t now_nanos);

[[nodiscard]] nlohmann::json container_summary_json(const actors::container_summary& s,
                                                    int64_t now_nanos);

[[nodiscard]] nlohmann::json container_inspect_json(const actors::container_record& rec,
                                                    const actors::container_paths& paths,
                                                    api_version version);

} // namespace berth::api
