// Image routes: list, inspect, history, tag, delete, prune, load, save, import (create).
#include <nlohmann/json.hpp>

#include "actors/directory.hpp"
#include "actors/images_manager.hpp"
#include "api/actor_bridge.hpp"
#include "api/docker_json/image_json.hpp"
#include "api/request_body.hpp"
#include "api/response_sink.hpp"
#include "api/response_stream.hpp"
#include "api/routes/routes.hpp"

namespace berth::api {

namespace {

using json = nlohmann::json;
using actors::images_manager_actor;

// Uploads and saves take as long as their data: no short deadline for them.
constexpr auto long_operation = std::chrono::seconds(24 * 3600);

images_manager_actor images(const exchange_ptr& ex) {
  return find_actor<images_manager_actor>(ex, actors::directory::images);
}

std::string json_line(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

void list(const exchange_ptr& ex) {
  auto target = images(ex);
  if (!target) return;
  const auto& q = ex->request().query;
  auto filters = filter_args::parse(q.get("filters"));
  if (!filters) return ex->reply_error(filters.error());
  actors::image_list_query query{q.flag("all"), std::move(*filters)};
  ask(
      ex, target,
      [ex](std::vector<actors::image_view>& views) {
        json out = json::array();
        for (const auto& v : views)
          out.push_back(image_summary_json(v, ex->request().version));
        ex->reply_json(200, out);
      },
      actors::list_atom_v, std::move(query));
}

void inspect(const exchange_ptr& ex) {
  auto target = images(ex);
  if (!target) return;
  ask(
      ex, target,
      [ex](actors::image_view& v) {
        ex->reply_json(200, image_inspect_json(v, ex->request().version));
      },
      actors::inspect_atom_v, ex->request().param("name"));
}

void history(const exchange_ptr& ex) {
  auto target = images(ex);
  if (!target) return;
  ask(
      ex, target, [ex](actors::image_view& v) { ex->reply_json(200, image_history_json(v)); },
      actors::inspect_atom_v, ex->request().param("name"));
}

void tag(const exchange_ptr& ex) {
  auto target = images(ex);
  if (!target) return;
  const auto& q = ex->request().query;
  if (q.get("repo").empty())
    return ex->reply_error(
        make_error(errc::invalid_argument, "repository name must have at least one component"));
  actors::tag_request req{ex->request().param("name"), q.get("repo"), q.get("tag")};
  ask(
      ex, target, [ex]() { ex->reply_status(201); }, actors::tag_atom_v, std::move(req));
}

void remove(const exchange_ptr& ex) {
  auto target = images(ex);
  if (!target) return;
  const auto& q = ex->request().query;
  actors::delete_request req{ex->request().param("name"), q.flag("force"), !q.flag("noprune")};
  ask(
      ex, target,
      [ex](actors::delete_outcome& out) { ex->reply_json(200, delete_records_json(out.records)); },
      caf::delete_atom_v, std::move(req));
}

void prune(const exchange_ptr& ex) {
  auto target = images(ex);
  if (!target) return;
  auto filters = filter_args::parse(ex->request().query.get("filters"));
  if (!filters) return ex->reply_error(filters.error());
  ask(
      ex, target,
      [ex](actors::delete_outcome& out) {
        auto deleted = delete_records_json(out.records);
        ex->reply_json(200, json{{"ImagesDeleted", deleted.empty() ? json(nullptr) : deleted},
                                 {"SpaceReclaimed", out.space_reclaimed}});
      },
      actors::prune_atom_v, std::move(*filters));
}

void load(const exchange_ptr& ex) {
  auto target = images(ex);
  if (!target) return;
  actors::load_request req{ex->body_stream()};
  with_actor(ex, [ex, target, req](caf::event_based_actor* self) {
    self->request(target, long_operation, actors::load_atom_v, req)
        .then(
            [ex](actors::load_outcome& out) {
              auto stream = ex->stream(200, "application/json");
              if (!stream) return;
              for (const auto& line : out.lines)
                stream->write(json_line(json{{"stream", line + "\n"}}));
              stream->close();
            },
            [ex](caf::error& err) { ex->reply_error(err); });
  });
}

void save(const exchange_ptr& ex, std::vector<std::string> names) {
  auto target = images(ex);
  if (!target) return;
  auto sink = std::make_shared<response_sink>(ex, "application/x-tar");
  actors::save_request req{std::move(names), sink};
  with_actor(ex, [ex, target, req, sink](caf::event_based_actor* self) {
    self->request(target, long_operation, actors::save_atom_v, req)
        .then([sink]() { sink->finish(); },
              [ex, sink](caf::error& err) {
                // Before the first byte the error still gets its status; after, the stream ends.
                if (sink->started())
                  sink->finish();
                else
                  ex->reply_error(err);
              });
  });
}

void save_many(const exchange_ptr& ex) {
  save(ex, ex->request().query.all("names"));
}

void save_one(const exchange_ptr& ex) {
  save(ex, {ex->request().param("name")});
}

// POST /images/create: fromImage pulls (distribution_routes.cpp), fromSrc imports a rootfs.
void create(const exchange_ptr& ex) {
  const auto& q = ex->request().query;
  auto from_src = q.get("fromSrc");
  if (!q.get("fromImage").empty() || from_src.empty()) return pull_image(ex);
  if (from_src != "-") {
    if (auto body = ex->body_stream()) body->abandon();
    return ex->reply_error(make_error(errc::invalid_argument,
                                      "importing from a URL is not supported: there is no network "
                                      "access; pipe the archive in with fromSrc=-"));
  }
  auto target = images(ex);
  if (!target) return;
  actors::import_request req{ex->body_stream(), q.get("repo"), q.get("tag"), q.get("message"),
                             q.all("changes")};
  with_actor(ex, [ex, target, req](caf::event_based_actor* self) {
    self->request(target, long_operation, actors::import_atom_v, req)
        .then(
            [ex](std::string& id) {
              auto stream = ex->stream(200, "application/json");
              if (!stream) return;
              stream->write(json_line(json{{"status", id}}));
              stream->close();
            },
            [ex](caf::error& err) { ex->reply_error(err); });
  });
}

} // namespace

void add_image_routes(router& r) {
  r.add("GET", "/images/json", list);
  r.add("POST", "/images/load", load, body_mode::streamed);
  r.add("GET", "/images/get", save_many);
  r.add("POST", "/images/create", create, body_mode::streamed);
  r.add("POST", "/images/prune", prune);
  r.add("GET", "/images/{name*}/json", inspect);
  r.add("GET", "/images/{name*}/history", history);
  r.add("GET", "/images/{name*}/get", save_one);
  r.add("POST", "/images/{name*}/tag", tag);
  r.add("DELETE", "/images/{name*}", remove);
}

} // namespace berth::api
