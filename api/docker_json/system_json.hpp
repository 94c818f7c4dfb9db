// The JSON of GET /version and GET /info, built from the daemon's facts and live counts.
#pragma once

#include <nlohmann/json.hpp>

#include "actors/containers_manager.hpp"
#include "actors/events_actor.hpp"
#include "actors/images_manager.hpp"
#include "api/api_context.hpp"

namespace berth::api {

/// Live figures /info reports next to the static facts.
struct info_counts {
  actors::container_counts containers;
  actors::image_counts images;
  actors::events_counts events;
};

[[nodiscard]] nlohmann::json version_json(const api_context& ctx);

[[nodiscard]] nlohmann::json info_json(const api_context& ctx, const info_counts& counts);

} // namespace berth::api
