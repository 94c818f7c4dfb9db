// The JSON object body of a request (create, connect, ...): an empty body is an empty object;
// anything that is not a JSON object is a 400 with dockerd's "invalid JSON" prefix.
#pragma once

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include "api/exchange.hpp"

namespace berth::api {

[[nodiscard]] caf::expected<nlohmann::json> json_object_body(const exchange_ptr& ex);

} // namespace berth::api
