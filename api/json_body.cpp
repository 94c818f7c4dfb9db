// Request bodies as JSON objects.
#include "api/json_body.hpp"

#include "base/error.hpp"

namespace berth::api {

caf::expected<nlohmann::json> json_object_body(const exchange_ptr& ex) {
  const auto& body = ex->request().body;
  if (body.empty()) return nlohmann::json::object();
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return make_error(errc::invalid_argument,
                      "invalid JSON: the request body is not a JSON object");
  return doc;
}

} // namespace berth::api
