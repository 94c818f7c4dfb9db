// Volume routes: create, list, inspect, delete, prune.
#include <caf/event_based_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/directory.hpp"
#include "actors/volume_actor.hpp"
#include "actors/volumes_manager.hpp"
#include "api/actor_bridge.hpp"
#include "api/json_body.hpp"
#include "api/routes/routes.hpp"

namespace berth::api {

namespace {

using json = nlohmann::json;
using actors::volumes_manager_actor;

constexpr auto volume_operation = std::chrono::seconds(120);

volumes_manager_actor manager(const exchange_ptr& ex) {
  return find_actor<volumes_manager_actor>(ex, actors::directory::volumes);
}

json render(const exchange_ptr& ex, const actors::volume_record& v, int64_t size = -1) {
  auto root = ex->context().config()->data_root + "/volumes";
  return actors::volume_json(v, root + "/" + v.name + "/_data", size);
}

// A string map field (DriverOpts, Labels): absent or null is empty; other types are refused.
caf::expected<std::map<std::string, std::string>> string_map(const json& body, const char* key) {
  std::map<std::string, std::string> out;
  auto i = body.find(key);
  if (i == body.end() || i->is_null()) return out;
  if (!i->is_object())
    return make_error(errc::invalid_argument,
                      std::string("invalid JSON: ") + key + " must be an object of strings");
  for (const auto& [k, v] : i->items()) {
    if (!v.is_string())
      return make_error(errc::invalid_argument,
                        std::string("invalid JSON: ") + key + " must be an object of strings");
    out[k] = v.get<std::string>();
  }
  return out;
}

caf::expected<actors::volume_create_request> create_request(const json& body) {
  actors::volume_create_request req;
  for (const char* key : {"Name", "Driver"})
    if (auto i = body.find(key); i != body.end() && !i->is_null() && !i->is_string())
      return make_error(errc::invalid_argument,
                        std::string("invalid JSON: ") + key + " must be a string");
  req.name = body.value("Name", "");
  req.driver = body.value("Driver", "");
  auto options = string_map(body, "DriverOpts");
  if (!options) return options.error();
  req.options = std::move(*options);
  auto labels = string_map(body, "Labels");
  if (!labels) return labels.error();
  req.labels = std::move(*labels);
  return req;
}

void create(const exchange_ptr& ex) {
  auto target = manager(ex);
  if (!target) return;
  auto body = json_object_body(ex);
  if (!body) return ex->reply_error(body.error());
  auto req = create_request(*body);
  if (!req) return ex->reply_error(req.error());
  ask_within(
      ex, target, volume_operation,
      [ex](actors::volume_record& v) { ex->reply_json(201, render(ex, v)); }, actors::create_atom_v,
      std::move(*req));
}

void list(const exchange_ptr& ex) {
  auto target = manager(ex);
  if (!target) return;
  auto filters = filter_args::parse(ex->request().query.get("filters"));
  if (!filters) return ex->reply_error(filters.error());
  ask(
      ex, target,
      [ex](std::vector<actors::volume_record>& volumes) {
        auto out = json::array();
        for (const auto& v : volumes)
          out.push_back(render(ex, v));
        ex->reply_json(200, json{{"Volumes", out}, {"Warnings", nullptr}});
      },
      actors::list_atom_v, std::move(*filters));
}

void inspect(const exchange_ptr& ex) {
  auto target = manager(ex);
  if (!target) return;
  ask(
      ex, target, [ex](actors::volume_record& v) { ex->reply_json(200, render(ex, v)); },
      actors::inspect_atom_v, ex->request().param("name"));
}

void remove(const exchange_ptr& ex) {
  auto target = manager(ex);
  if (!target) return;
  auto name = ex->request().param("name");
  bool force = ex->request().query.flag("force");
  ask_within(
      ex, target, volume_operation, [ex]() { ex->reply_status(204); }, caf::delete_atom_v, name,
      force);
}

void prune(const exchange_ptr& ex) {
  auto target = manager(ex);
  if (!target) return;
  auto filters = filter_args::parse(ex->request().query.get("filters"));
  if (!filters) return ex->reply_error(filters.error());
  // Before API 1.42 a prune took every unused volume, named ones too.
  if (ex->request().version < api_version{1, 42} && !filters->contains("all"))
    filters->add("all", "true");
  ask_within(
      ex, target, volume_operation,
      [ex](actors::volume_prune_result& r) {
        ex->reply_json(200,
                       json{{"VolumesDeleted", r.deleted.empty() ? json(nullptr) : json(r.deleted)},
                            {"SpaceReclaimed", r.space_reclaimed}});
      },
      actors::prune_atom_v, std::move(*filters));
}

} // namespace

void add_volume_routes(router& r) {
  r.add("POST", "/volumes/create", create);
  r.add("GET", "/volumes", list);
  r.add("GET", "/volumes/{name}", inspect);
  r.add("DELETE", "/volumes/{name}", remove);
  r.add("POST", "/volumes/prune", prune);
}

} // namespace berth::api
