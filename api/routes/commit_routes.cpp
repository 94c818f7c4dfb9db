// POST /commit: a container's filesystem changes become a new image (docker commit).
#include <optional>
#include <string_view>

#include <caf/event_based_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/containers_manager.hpp"
#include "api/json_body.hpp"
#include "api/routes/container_lookup.hpp"
#include "api/routes/routes.hpp"
#include "base/error.hpp"
#include "runtime/container_config.hpp"
#include "storage/reference.hpp"

namespace berth::api {

namespace {

using json = nlohmann::json;

/// A commit reads the container's whole upper directory.
constexpr auto long_operation = std::chrono::seconds(24 * 3600);

// The optional body: a Config (the CLI sends none, or null) that replaces the container's own as
// the base of the image config.
caf::expected<std::optional<runtime::container_config>> requested_config(const exchange_ptr& ex) {
  constexpr const char* json_space = " \t\r\n";
  std::string_view body = ex->request().body;
  auto first = body.find_first_not_of(json_space);
  if (first == std::string_view::npos ||
      body.substr(first, body.find_last_not_of(json_space) + 1 - first) == "null")
    return std::optional<runtime::container_config>{};
  auto doc = json_object_body(ex);
  if (!doc) return doc.error();
  auto config = runtime::parse_container_config(*doc);
  if (!config) return config.error();
  return std::optional<runtime::container_config>{std::move(*config)};
}

void commit(const exchange_ptr& ex) {
  const auto& q = ex->request().query;
  auto reference = storage::repo_tag_reference(q.get("repo"), q.get("tag"));
  if (!reference) return ex->reply_error(reference.error());
  auto config = requested_config(ex);
  if (!config) return ex->reply_error(config.error());
  actors::container_commit_request req;
  req.reference = std::move(*reference);
  req.comment = q.get("comment");
  req.author = q.get("author");
  req.pause = !q.has("pause") || q.flag("pause");
  req.changes = q.all("changes");
  req.config = std::move(*config);
  with_container(
      ex, q.get("container"),
      [ex, req = std::move(req)](caf::event_based_actor* self, actors::resolved_container& found) {
        self->request(found.actor, long_operation, actors::commit_atom_v, req)
            .then(
                [ex](std::string& id) {
                  ex->reply_json(201, json{{"Id", id}});
                },
                [ex](caf::error& err) { ex->reply_error(err); });
      });
}

} // namespace

void add_commit_routes(router& r) {
  r.add("POST", "/commit", commit);
}

} // namespace berth::api
