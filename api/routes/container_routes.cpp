// Container routes: create, list, inspect, start, stop, kill, restart, wait, delete, attach,
// resize, rename, prune, logs.
#include <caf/event_based_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/containers_manager.hpp"
#include "actors/directory.hpp"
#include "api/actor_bridge.hpp"
#include "api/detach_keys.hpp"
#include "api/docker_json/container_json.hpp"
#include "api/json_body.hpp"
#include "api/log_stream.hpp"
#include "api/response_stream.hpp"
#include "api/routes/routes.hpp"
#include "api/terminal_size.hpp"
#include "base/time.hpp"

namespace berth::api {

namespace {

using json = nlohmann::json;
using actors::container_actor;
using actors::containers_manager_actor;

/// Waits and stops can take as long as the container does.
constexpr auto long_operation = std::chrono::seconds(7 * 24 * 3600);

containers_manager_actor manager(const exchange_ptr& ex) {
  return find_actor<containers_manager_actor>(ex, actors::directory::containers);
}

// Resolves {id} to its container actor, then runs `then(self, container)` in the bridge actor.
template <class Then>
void with_container(const exchange_ptr& ex, Then then) {
  auto target = manager(ex);
  if (!target) return;
  auto timeout = ex->context().request_timeout();
  with_actor(ex,
             [ex, target, timeout, then = std::move(then)](caf::event_based_actor* self) mutable {
               self->request(target, timeout, actors::resolve_atom_v, ex->request().param("id"))
                   .then(
                       [self, ex, then](actors::resolved_container& found) mutable {
                         // Waits, stops and starts can outlast the container actor (removed, or the
                         // daemon stopping): then the bridge answers and ends instead of waiting
                         // for a reply forever.
                         self->monitor(found.actor);
                         self->set_down_handler([self, ex](const caf::down_msg&) {
                           ex->reply_error(make_error(errc::unavailable, "the container is gone"));
                           self->quit();
                         });
                         then(self, found);
                       },
                       [ex](caf::error& err) { ex->reply_error(err); });
             });
}

// Sends a request to the container and answers `status` (204 unless told) on success.
template <class... Ts>
void container_action(const exchange_ptr& ex, int status, std::chrono::seconds timeout,
                      Ts... args) {
  with_container(ex, [ex, status, timeout, args...](caf::event_based_actor* self,
                                                    actors::resolved_container& found) {
    self->request(found.actor, timeout, args...)
        .then([ex, status]() { ex->reply_status(status); },
              [ex](caf::error& err) { ex->reply_error(err); });
  });
}

void create(const exchange_ptr& ex) {
  auto target = manager(ex);
  if (!target) return;
  auto body = json_object_body(ex);
  if (!body) return ex->reply_error(body.error());
  actors::create_request req{ex->request().query.get("name"), std::move(*body)};
  ask(
      ex, target,
      [ex](actors::create_result& r) {
        ex->reply_json(201, json{{"Id", r.id}, {"Warnings", r.warnings}});
      },
      actors::create_atom_v, std::move(req));
}

void list(const exchange_ptr& ex) {
  auto target = manager(ex);
  if (!target) return;
  const auto& q = ex->request().query;
  auto filters = filter_args::parse(q.get("filters"));
  if (!filters) return ex->reply_error(filters.error());
  auto limit = q.integer("limit", -1);
  if (!limit) return ex->reply_error(limit.error());
  actors::container_list_query query{q.flag("all"), static_cast<int>(*limit), q.flag("size"),
                                     std::move(*filters)};
  ask(
      ex, target,
      [ex](std::vector<actors::container_summary>& list) {
        auto now = unix_nanos_now();
        json out = json::array();
        for (const auto& s : list)
          out.push_back(container_summary_json(s, now));
        ex->reply_json(200, out);
      },
      actors::list_atom_v, std::move(query));
}

void inspect(const exchange_ptr& ex) {
  with_container(ex, [ex](caf::event_based_actor* self, actors::resolved_container& found) {
    self->request(found.actor, ex->context().request_timeout(), actors::inspect_atom_v)
        .then(
            [ex](actors::container_record& rec) {
              auto cfg = ex->context().config();
              auto paths = actors::paths_of(rec, cfg->data_root, cfg->exec_root);
              ex->reply_json(200, container_inspect_json(rec, paths, ex->request().version));
            },
            [ex](caf::error& err) { ex->reply_error(err); });
  });
}

caf::expected<int> timeout_param(const exchange_ptr& ex) {
  auto t = ex->request().query.integer("t", -1);
  if (!t) return t.error();
  return static_cast<int>(*t);
}

void start(const exchange_ptr& ex) {
  container_action(ex, 204, std::chrono::seconds(120), actors::start_atom_v);
}

void stop(const exchange_ptr& ex) {
  auto t = timeout_param(ex);
  if (!t) return ex->reply_error(t.error());
  container_action(ex, 204, long_operation, actors::stop_atom_v, *t,
                   ex->request().query.get("signal"));
}

void kill(const exchange_ptr& ex) {
  container_action(ex, 204, std::chrono::seconds(30), actors::signal_atom_v,
                   ex->request().query.get("signal"));
}

void restart(const exchange_ptr& ex) {
  auto t = timeout_param(ex);
  if (!t) return ex->reply_error(t.error());
  container_action(ex, 204, long_operation, actors::restart_atom_v, *t,
                   ex->request().query.get("signal"));
}

void wait(const exchange_ptr& ex) {
  auto condition_text = ex->request().query.get("condition", "not-running");
  actors::wait_condition condition;
  if (condition_text == "not-running" || condition_text.empty())
    condition = actors::wait_condition::not_running;
  else if (condition_text == "next-exit")
    condition = actors::wait_condition::next_exit;
  else if (condition_text == "removed")
    condition = actors::wait_condition::removed;
  else
    return ex->reply_error(
        make_error(errc::invalid_argument, "invalid condition: \"" + condition_text + "\""));
  with_container(ex,
                 [ex, condition](caf::event_based_actor* self, actors::resolved_container& found) {
                   // As dockerd: the head goes out at once (the CLI's --rm waits for it before it
                   // starts the container), the body when the condition holds.
                   auto out = ex->stream(200, "application/json");
                   if (!out) return;
                   auto answer = [out](int64_t status, const std::string& error) {
                     json body{{"StatusCode", status}};
                     if (!error.empty()) body["Error"] = json{{"Message", error}};
                     out->write(body.dump() + "\n");
                     out->close();
                   };
                   self->request(found.actor, long_operation, actors::wait_atom_v, condition)
                       .then([answer](actors::wait_result& r) { answer(r.status_code, r.error); },
                             [answer](caf::error& err) { answer(-1, error_message(err)); });
                 });
}

void remove(const exchange_ptr& ex) {
  const auto& q = ex->request().query;
  if (q.flag("link"))
    return ex->reply_error(make_error(errc::invalid_argument, "legacy links are not supported"));
  container_action(ex, 204, std::chrono::seconds(120), caf::delete_atom_v, q.flag("force"),
                   q.flag("v"));
}

void attach(const exchange_ptr& ex) {
  const auto& q = ex->request().query;
  auto keys_text = q.get("detachKeys", "ctrl-p,ctrl-q");
  auto keys = parse_detach_keys(keys_text);
  if (!keys) return ex->reply_error(keys.error());
  with_container(
      ex, [ex, keys = *keys](caf::event_based_actor* self, actors::resolved_container& found) {
        auto timeout = ex->context().request_timeout();
        self->request(found.actor, timeout, actors::inspect_atom_v)
            .then(
                [self, ex, keys, actor = found.actor, timeout](actors::container_record& rec) {
                  const auto& query = ex->request().query;
                  bool tty = rec.config.tty;
                  auto connection = ex->upgrade(tty ? "application/vnd.docker.raw-stream"
                                                    : "application/vnd.docker.multiplexed-stream");
                  if (!connection) return;
                  actors::attach_request req;
                  req.connection = connection;
                  req.stdin = query.flag("stdin") && rec.config.open_stdin;
                  req.stdout = query.flag("stdout");
                  req.stderr = query.flag("stderr");
                  req.detach_keys = req.stdin ? keys : std::string{};
                  self->request(actor, timeout, actors::attach_atom_v, std::move(req))
                      .then([]() {}, [connection](caf::error&) { connection->finish(""); });
                },
                [ex](caf::error& err) { ex->reply_error(err); });
      });
}

void resize(const exchange_ptr& ex) {
  auto size = terminal_size(ex->request().query);
  if (!size) return ex->reply_error(size.error());
  container_action(ex, 200, std::chrono::seconds(30), actors::resize_atom_v, size->first,
                   size->second);
}

void rename(const exchange_ptr& ex) {
  auto target = manager(ex);
  if (!target) return;
  ask(
      ex, target, [ex]() { ex->reply_status(204); }, actors::rename_atom_v,
      ex->request().param("id"), ex->request().query.get("name"));
}

void prune(const exchange_ptr& ex) {
  auto target = manager(ex);
  if (!target) return;
  auto filters = filter_args::parse(ex->request().query.get("filters"));
  if (!filters) return ex->reply_error(filters.error());
  ask(
      ex, target,
      [ex](actors::container_prune_result& r) {
        ex->reply_json(
            200, json{{"ContainersDeleted", r.deleted.empty() ? json(nullptr) : json(r.deleted)},
                      {"SpaceReclaimed", r.space_reclaimed}});
      },
      actors::prune_atom_v, std::move(*filters));
}

caf::expected<int64_t> log_time(const exchange_ptr& ex, const std::string& key) {
  auto text = ex->request().query.get(key);
  if (text.empty() || text == "0") return int64_t{0};
  auto t = parse_api_timestamp(text);
  if (!t) return make_error(errc::invalid_argument, "invalid value for " + key + ": " + text);
  return *t;
}

void logs(const exchange_ptr& ex) {
  const auto& q = ex->request().query;
  log_request req;
  req.stdout = q.flag("stdout");
  req.stderr = q.flag("stderr");
  req.timestamps = q.flag("timestamps");
  req.follow = q.flag("follow");
  auto since = log_time(ex, "since");
  auto until = log_time(ex, "until");
  if (!since || !until) return ex->reply_error(!since ? since.error() : until.error());
  req.since = *since;
  req.until = *until;
  auto tail = q.get("tail", "all");
  if (tail != "all" && !tail.empty()) {
    auto n = q.integer("tail", -1);
    if (!n) return ex->reply_error(n.error());
    req.tail = *n;
  }
  with_container(ex, [ex, req](caf::event_based_actor* self, actors::resolved_container& found) {
    self->request(found.actor, ex->context().request_timeout(), caf::get_atom_v,
                  actors::logs_atom_v)
        .then([ex, req,
               actor = found.actor](actors::log_location& loc) { serve_logs(ex, loc, req, actor); },
              [ex](caf::error& err) { ex->reply_error(err); });
  });
}

} // namespace

void add_container_routes(router& r) {
  r.add("POST", "/containers/create", create);
  r.add("GET", "/containers/json", list);
  r.add("POST", "/containers/prune", prune);
  r.add("GET", "/containers/{id}/json", inspect);
  r.add("POST", "/containers/{id}/start", start);
  r.add("POST", "/containers/{id}/stop", stop);
  r.add("POST", "/containers/{id}/kill", kill);
  r.add("POST", "/containers/{id}/restart", restart);
  r.add("POST", "/containers/{id}/wait", wait);
  r.add("DELETE", "/containers/{id}", remove);
  r.add("POST", "/containers/{id}/attach", attach);
  r.add("POST", "/containers/{id}/resize", resize);
  r.add("POST", "/containers/{id}/rename", rename);
  r.add("GET", "/containers/{id}/logs", logs);
}

} // namespace berth::api
