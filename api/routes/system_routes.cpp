// System routes: /_ping, /version, /info, /system/df.
#include <nlohmann/json.hpp>

#include "actors/containers_manager.hpp"
#include "actors/directory.hpp"
#include "actors/events_actor.hpp"
#include "actors/images_manager.hpp"
#include "actors/volumes_manager.hpp"
#include "api/actor_bridge.hpp"
#include "api/docker_json/container_json.hpp"
#include "api/docker_json/image_json.hpp"
#include "api/docker_json/system_json.hpp"
#include "api/routes/routes.hpp"
#include "base/time.hpp"

namespace berth::api {

namespace {

void ping(const exchange_ptr& ex) {
  http_response res;
  res.content_type = "text/plain; charset=utf-8";
  res.headers = {{"Builder-Version", "1"},
                 {"Swarm", "inactive"},
                 {"Cache-Control", "no-cache, no-store, must-revalidate"},
                 {"Pragma", "no-cache"}};
  res.body = "OK";
  ex->reply(std::move(res));
}

void version(const exchange_ptr& ex) {
  ex->reply_json(200, version_json(ex->context()));
}

// /info gathers counts from three actors in one bridge actor, one after the other.
void info(const exchange_ptr& ex) {
  auto containers = find_actor<actors::containers_manager_actor>(ex, actors::directory::containers);
  if (!containers) return;
  auto images = find_actor<actors::images_manager_actor>(ex, actors::directory::images);
  if (!images) return;
  auto events = find_actor<actors::events_actor>(ex, actors::directory::events);
  if (!events) return;
  with_actor(ex, [ex, containers, images, events](caf::event_based_actor* self) {
    auto timeout = ex->context().request_timeout();
    auto fail = [ex](caf::error& err) { ex->reply_error(err); };
    self->request(containers, timeout, caf::get_atom_v, actors::counts_atom_v)
        .then(
            [=](actors::container_counts c) {
              self->request(images, timeout, caf::get_atom_v, actors::counts_atom_v)
                  .then(
                      [=](actors::image_counts i) {
                        self->request(events, timeout, caf::get_atom_v, actors::counts_atom_v)
                            .then(
                                [=](actors::events_counts e) {
                                  ex->reply_json(200,
                                                 info_json(ex->context(), info_counts{c, i, e}));
                                },
                                fail);
                      },
                      fail);
            },
            fail);
  });
}

// The classic builder's cache images as buildkit-style cache records ("regular", unshared; in
// use while a container runs from one, which a prune keeps).
nlohmann::json build_cache_json(const actors::image_usage& usage,
                                const std::map<std::string, int64_t>& users) {
  auto out = nlohmann::json::array();
  for (const auto& r : usage.build_cache)
    out.push_back({{"ID", r.id},
                   {"Parents", nlohmann::json::array({r.parent})},
                   {"Type", "regular"},
                   {"Description", r.description},
                   {"InUse", users.count(r.id) > 0},
                   {"Shared", false},
                   {"Size", r.size},
                   {"CreatedAt", format_rfc3339(r.created_nanos)},
                   {"LastUsedAt", nullptr},
                   {"UsageCount", 0}});
  return out;
}

// dockerd's /system/df: images (with how many containers use each), containers with their sizes.
void system_df(const exchange_ptr& ex) {
  auto images = find_actor<actors::images_manager_actor>(ex, actors::directory::images);
  if (!images) return;
  auto containers = find_actor<actors::containers_manager_actor>(ex, actors::directory::containers);
  if (!containers) return;
  auto volumes = find_actor<actors::volumes_manager_actor>(ex, actors::directory::volumes);
  if (!volumes) return;
  with_actor(ex, [ex, images, containers, volumes](caf::event_based_actor* self) {
    auto timeout = ex->context().request_timeout();
    auto fail = [ex](caf::error& err) { ex->reply_error(err); };
    actors::container_list_query all{true, -1, true, {}};
    self->request(containers, timeout, actors::list_atom_v, all)
        .then(
            [=](std::vector<actors::container_summary>& list) {
              auto now = unix_nanos_now();
              std::map<std::string, int64_t> users;
              auto container_list = nlohmann::json::array();
              for (const auto& c : list) {
                ++users[c.image_id];
                container_list.push_back(container_summary_json(c, now));
              }
              self->request(images, timeout, caf::get_atom_v, actors::usage_atom_v)
                  .then(
                      [=](actors::image_usage& usage) {
                        auto image_list = nlohmann::json::array();
                        for (const auto& v : usage.images) {
                          auto summary = image_summary_json(v, ex->request().version);
                          summary["SharedSize"] = usage.shared_size[v.image.id];
                          auto n = users.find(v.image.id);
                          summary["Containers"] = n == users.end() ? 0 : n->second;
                          image_list.push_back(std::move(summary));
                        }
                        self->request(volumes, timeout, caf::get_atom_v, actors::usage_atom_v)
                            .then(
                                [=](std::vector<actors::volume_usage>& vols) {
                                  auto root = ex->context().config()->data_root + "/volumes";
                                  auto volume_list = nlohmann::json::array();
                                  for (const auto& u : vols)
                                    volume_list.push_back(actors::volume_json(
                                        u.record, root + "/" + u.record.name + "/_data", u.size));
                                  ex->reply_json(
                                      200, nlohmann::json{{"LayersSize", usage.layers_size},
                                                          {"Images", image_list},
                                                          {"Containers", container_list},
                                                          {"Volumes", volume_list},
                                                          {"BuildCache", build_cache_json(usage, users)}});
                                },
                                fail);
                      },
                      fail);
            },
            fail);
  });
}

} // namespace

void add_system_routes(router& r) {
  r.add("GET", "/_ping", ping);
  r.add("HEAD", "/_ping", ping);
  r.add("GET", "/version", version);
  r.add("GET", "/info", info);
  r.add("GET", "/system/df", system_df);
}

} // namespace berth::api
