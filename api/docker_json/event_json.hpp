// Engine events in the JSON shape of /events (with the legacy status/id/from fields below 1.52).
#pragma once

#include <nlohmann/json.hpp>

#include "actors/event.hpp"
#include "api/api_version.hpp"

namespace berth::api {

[[nodiscard]] nlohmann::json event_to_json(const actors::event& ev, api_version version);

} // namespace berth::api
