// Registry routes: docker pull (POST /images/create?fromImage=, from image_routes), docker push
// (POST /images/{name}/push) and docker login (POST /auth).
#include <nlohmann/json.hpp>

#include "actors/blocking_pool.hpp"
#include "actors/images_manager.hpp"
#include "api/actor_bridge.hpp"
#include "api/progress_stream.hpp"
#include "api/request_body.hpp"
#include "api/routes/routes.hpp"
#include "distribution/registry_service.hpp"
#include "registry/login.hpp"
#include "registry/platform.hpp"
#include "storage/reference.hpp"

namespace berth::api {

namespace {

using json = nlohmann::json;
using actors::images_manager_actor;

// A pull or push lasts as long as its transfers: no short deadline.
constexpr auto long_operation = std::chrono::seconds(24 * 3600);

// X-Registry-Auth: invalid values count as anonymous, as in dockerd ("for a pull it is not an
// error if no auth was given").
registry::registry_credentials credentials_of(const exchange_ptr& ex) {
  auto decoded = registry::decode_registry_auth(ex->request().header("x-registry-auth"));
  return decoded ? std::move(*decoded) : registry::registry_credentials{};
}

// A pull or push counts as running until it has answered (a stopping daemon waits for that).
distribution::registry_service::operation operation_of(const exchange_ptr& ex) {
  const auto& service = ex->context().registry();
  return service ? distribution::registry_service::operation{service}
                 : distribution::registry_service::operation{};
}

// fromImage and tag as dockerd combines them: "pull -a" may send a trailing ':'; a tag that is a
// digest pins the digest.
caf::expected<storage::reference> pull_reference(const query_params& q) {
  auto image = q.get("fromImage");
  if (image.ends_with(':')) image.pop_back();
  auto ref = storage::parse_normalized(image);
  if (!ref) return ref.error();
  auto tag = q.get("tag");
  if (tag.empty()) return ref;
  if (!storage::validate_digest(tag)) {
    ref->tag.clear();
    ref->digest = tag;
    return ref;
  }
  if (auto err = storage::validate_tag(tag)) return err;
  ref->tag = tag;
  return ref;
}

void push(const exchange_ptr& ex) {
  const auto& q = ex->request().query;
  auto ref = storage::parse_normalized(ex->request().param("name"));
  if (!ref) return ex->reply_error(ref.error());
  if (auto tag = q.get("tag"); !tag.empty()) {
    if (auto err = storage::validate_tag(tag)) return ex->reply_error(err);
    ref->tag = tag;
  }
  auto target = find_actor<images_manager_actor>(ex, actors::directory::images);
  if (!target) return;
  auto progress = std::make_shared<progress_stream>(ex, operation_of(ex));
  actors::image_push_request req{*ref, credentials_of(ex), progress, progress->stop_token()};
  with_actor(ex, [target, req, progress](caf::event_based_actor* self) {
    self->request(target, long_operation, actors::push_atom_v, req)
        .then([progress]() { progress->finish({}); },
              [progress](caf::error& err) { progress->finish(err); });
  });
}

void login(const exchange_ptr& ex) {
  auto creds = registry::parse_auth_config(ex->request().body);
  if (!creds) return ex->reply_error(creds.error());
  auto service = ex->context().registry();
  if (!service)
    return ex->reply_error(make_error(errc::unavailable, "registry access is not configured"));
  auto domain = distribution::login_domain(creds->server_address);
  with_actor(ex, [ex, service, domain, creds = std::move(*creds)](caf::event_based_actor* self) {
    auto pool = actors::blocking_pool_of(self);
    if (!pool)
      return ex->reply_error(make_error(errc::unavailable, "the blocking pool is not running"));
    actors::run_blocking(
        self, pool,
        [service, domain, creds]() -> caf::expected<registry::login_result> {
          auto snapshot = service->current();
          return registry::login(*snapshot->http, snapshot->config, domain, creds,
                                 service->daemon_stop());
        },
        [ex](caf::expected<registry::login_result> result) {
          if (!result) return ex->reply_error(result.error());
          ex->reply_json(
              200, json{{"IdentityToken", result->identity_token}, {"Status", result->status}});
        });
  });
}

} // namespace

void pull_image(const exchange_ptr& ex) {
  if (auto body = ex->body_stream()) body->abandon();
  const auto& q = ex->request().query;
  auto ref = pull_reference(q);
  if (!ref) return ex->reply_error(ref.error());
  auto platform = registry::default_platform();
  if (auto wanted = q.get("platform"); !wanted.empty()) {
    auto parsed = registry::parse_platform(wanted);
    if (!parsed) return ex->reply_error(parsed.error());
    platform = *parsed;
  }
  auto target = find_actor<images_manager_actor>(ex, actors::directory::images);
  if (!target) return;
  auto progress = std::make_shared<progress_stream>(ex, operation_of(ex));
  actors::image_pull_request req{*ref, platform, credentials_of(ex), progress,
                                 progress->stop_token()};
  with_actor(ex, [target, req, progress](caf::event_based_actor* self) {
    self->request(target, long_operation, actors::pull_atom_v, req)
        .then([progress](actors::image_pull_outcome&) { progress->finish({}); },
              [progress](caf::error& err) { progress->finish(err); });
  });
}

void add_distribution_routes(router& r) {
  r.add("POST", "/images/{name*}/push", push);
  r.add("POST", "/auth", login);
}

} // namespace berth::api
