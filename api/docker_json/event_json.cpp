// Engine events in the JSON shape of /events.
#include "api/docker_json/event_json.hpp"

namespace berth::api {

nlohmann::json event_to_json(const actors::event& ev, api_version version) {
  nlohmann::json j;
  // The deprecated top-level fields moby fills for container and image events (removed in 1.52).
  if (version < api_version{1, 52}) {
    if (ev.type == "container") {
      j["status"] = ev.action;
      j["id"] = ev.actor_id;
      auto image = ev.attributes.find("image");
      j["from"] = image == ev.attributes.end() ? "" : image->second;
    } else if (ev.type == "image") {
      j["status"] = ev.action;
      j["id"] = ev.actor_id;
    }
  }
  j["Type"] = ev.type;
  j["Action"] = ev.action;
  j["Actor"] = {{"ID", ev.actor_id}, {"Attributes", ev.attributes}};
  j["scope"] = ev.scope;
  j["time"] = ev.time_nanos / 1'000'000'000;
  j["timeNano"] = ev.time_nanos;
  return j;
}

} // namespace berth::api
