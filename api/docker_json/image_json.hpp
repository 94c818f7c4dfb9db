// Images in Docker's JSON shapes: summaries (GET /images/json), inspect, history, delete records.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "actors/images_manager.hpp"
#include "api/api_version.hpp"

namespace berth::api {

[[nodiscard]] nlohmann::json image_summary_json(const actors::image_view& v, api_version version);

[[nodiscard]] nlohmann::json image_inspect_json(const actors::image_view& v, api_version version);

[[nodiscard]] nlohmann::json image_history_json(const actors::image_view& v);

[[nodiscard]] nlohmann::json delete_records_json(const std::vector<storage::delete_record>& records);

/// The image config's "config" object in the shape ImageInspect.Config has at `version`.
[[nodiscard]] nlohmann::json image_config_json(const nlohmann::json& config, api_version version);

} // namespace berth::api
