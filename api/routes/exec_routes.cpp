// docker exec: POST /containers/{id}/exec, POST /exec/{id}/start, POST /exec/{id}/resize,
// GET /exec/{id}/json. The exec's stream is a hijacked connection spliced by the container actor
// to the exec's socket in the shim.
#include <caf/event_based_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/containers_manager.hpp"
#include "actors/directory.hpp"
#include "api/actor_bridge.hpp"
#include "api/detach_keys.hpp"
#include "api/json_body.hpp"
#include "api/routes/routes.hpp"
#include "api/terminal_size.hpp"

namespace berth::api {

namespace {

using json = nlohmann::json;
using actors::containers_manager_actor;

containers_manager_actor manager(const exchange_ptr& ex) {
  return find_actor<containers_manager_actor>(ex, actors::directory::containers);
}

caf::error bad_field(const std::string& name) {
  return make_error(errc::invalid_argument, "invalid JSON: wrong type for field " + name);
}

caf::expected<std::vector<std::string>> strings_field(const json& body, const char* name) {
  std::vector<std::string> out;
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array()) return bad_field(name);
  for (const auto& v : *it) {
    if (!v.is_string()) return bad_field(name);
    out.push_back(v.get<std::string>());
  }
  return out;
}

template <class T>
caf::expected<T> scalar_field(const json& body, const char* name, T fallback) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return fallback;
  if constexpr (std::is_same_v<T, bool>) {
    if (!it->is_boolean()) return bad_field(name);
  } else {
    if (!it->is_string()) return bad_field(name);
  }
  return it->get<T>();
}

// ConsoleSize: [height, width].
caf::error console_size(const json& body, int& rows, int& cols) {
  auto it = body.find("ConsoleSize");
  if (it == body.end() || it->is_null()) return {};
  if (!it->is_array() || it->size() != 2 || !(*it)[0].is_number_unsigned() ||
      !(*it)[1].is_number_unsigned())
    return bad_field("ConsoleSize");
  rows = static_cast<int>(std::min<uint64_t>((*it)[0].get<uint64_t>(), 65535));
  cols = static_cast<int>(std::min<uint64_t>((*it)[1].get<uint64_t>(), 65535));
  return {};
}

caf::expected<actors::exec_config> parse_exec_config(const json& body) {
  actors::exec_config c;
  auto cmd = strings_field(body, "Cmd");
  auto env = strings_field(body, "Env");
  if (!cmd) return cmd.error();
  if (!env) return env.error();
  c.cmd = std::move(*cmd);
  c.env = std::move(*env);
  auto wd = scalar_field<std::string>(body, "WorkingDir", "");
  auto user = scalar_field<std::string>(body, "User", "");
  auto keys = scalar_field<std::string>(body, "DetachKeys", "");
  auto privileged = scalar_field<bool>(body, "Privileged", false);
  auto tty = scalar_field<bool>(body, "Tty", false);
  auto in = scalar_field<bool>(body, "AttachStdin", false);
  auto out = scalar_field<bool>(body, "AttachStdout", false);
  auto err = scalar_field<bool>(body, "AttachStderr", false);
  for (auto* e : {&wd, &user, &keys})
    if (!*e) return e->error();
  for (auto* e : {&privileged, &tty, &in, &out, &err})
    if (!*e) return e->error();
  c.working_dir = *wd;
  c.user = *user;
  c.detach_keys = *keys;
  c.privileged = *privileged;
  c.tty = *tty;
  c.attach_stdin = *in;
  c.attach_stdout = *out;
  c.attach_stderr = *err;
  if (auto e = console_size(body, c.rows, c.cols)) return e;
  if (c.cmd.empty()) return make_error(errc::invalid_argument, "No exec command specified");
  if (!c.working_dir.empty() && c.working_dir.front() != '/')
    return make_error(errc::invalid_argument, "the working directory '" + c.working_dir +
                                                  "' is invalid, it needs to be an "
                                                  "absolute path");
  if (!c.detach_keys.empty())
    if (auto parsed = parse_detach_keys(c.detach_keys); !parsed) return parsed.error();
  return c;
}

json exec_json(const actors::exec_info& info) {
  const auto& c = info.config;
  json args = json::array();
  for (size_t i = 1; i < c.cmd.size(); ++i)
    args.push_back(c.cmd[i]);
  json process{{"tty", c.tty},
               {"entrypoint", c.cmd.empty() ? std::string{} : c.cmd[0]},
               {"arguments", std::move(args)},
               {"privileged", c.privileged}};
  if (!c.user.empty()) process["user"] = c.user;
  return json{{"ID", info.id},
              {"Running", info.running},
              {"ExitCode", info.exit_code ? json(*info.exit_code) : json(nullptr)},
              {"ProcessConfig", std::move(process)},
              {"OpenStdin", c.attach_stdin},
              {"OpenStderr", c.attach_stderr},
              {"OpenStdout", c.attach_stdout},
              {"CanRemove", false},
              {"ContainerID", info.container_id},
              {"DetachKeys", c.detach_keys},
              {"Pid", info.pid}};
}

// Resolves the exec {id} to its container's actor, then runs `then(self, container)`.
template <class Then>
void with_exec(const exchange_ptr& ex, Then then) {
  auto target = manager(ex);
  if (!target) return;
  auto timeout = ex->context().request_timeout();
  with_actor(ex, [ex, target, timeout,
                  then = std::move(then)](caf::event_based_actor* self) mutable {
    self->request(target, timeout, actors::resolve_atom_v, actors::exec_atom_v,
                  ex->request().param("id"))
        .then([self, ex, then](actors::resolved_container& found) mutable { then(self, found); },
              [ex](caf::error& err) { ex->reply_error(err); });
  });
}

void create_exec(const exchange_ptr& ex) {
  auto target = manager(ex);
  if (!target) return;
  auto body = json_object_body(ex);
  if (!body) return ex->reply_error(body.error());
  auto config = parse_exec_config(*body);
  if (!config) return ex->reply_error(config.error());
  auto timeout = ex->context().request_timeout();
  with_actor(
      ex, [ex, target, timeout, config = std::move(*config)](caf::event_based_actor* self) mutable {
        self->request(target, timeout, actors::resolve_atom_v, ex->request().param("id"))
            .then(
                [self, ex, timeout, config](actors::resolved_container& found) mutable {
                  self->request(found.actor, timeout, actors::exec_atom_v, actors::create_atom_v,
                                std::move(config))
                      .then(
                          [ex](std::string& id) {
                            ex->reply_json(201, json{{"Id", id}});
                          },
                          [ex](caf::error& err) { ex->reply_error(err); });
                },
                [ex](caf::error& err) { ex->reply_error(err); });
      });
}

void start_exec(const exchange_ptr& ex) {
  auto body = json_object_body(ex);
  if (!body) return ex->reply_error(body.error());
  auto detach = scalar_field<bool>(*body, "Detach", false);
  if (!detach) return ex->reply_error(detach.error());
  int rows = 0;
  int cols = 0;
  if (auto e = console_size(*body, rows, cols)) return ex->reply_error(e);
  with_exec(ex, [ex, detach = *detach, rows, cols](caf::event_based_actor* self,
                                                   actors::resolved_container& found) {
    auto timeout = ex->context().request_timeout();
    auto id = ex->request().param("id");
    self->request(found.actor, timeout, actors::exec_atom_v, actors::inspect_atom_v, id)
        .then(
            [self, ex, detach, rows, cols, id, actor = found.actor,
             timeout](actors::exec_info& info) {
              actors::exec_start_request req;
              req.rows = rows;
              req.cols = cols;
              if (detach) {
                self->request(actor, std::chrono::seconds(90), actors::exec_atom_v,
                              actors::start_atom_v, id, std::move(req))
                    .then([ex]() { ex->reply_status(200); },
                          [ex](caf::error& err) { ex->reply_error(err); });
                return;
              }
              if (info.running || info.exit_code)
                return ex->reply_error(make_error(errc::conflict, "Error: Exec command " + id +
                                                                      " is already running"));
              auto keys =
                  parse_detach_keys(info.config.detach_keys.empty() ? std::string{"ctrl-p,ctrl-q"}
                                                                    : info.config.detach_keys);
              auto connection =
                  ex->upgrade(info.config.tty ? "application/vnd.docker.raw-stream"
                                              : "application/vnd.docker.multiplexed-stream");
              if (!connection) return;
              req.connection = connection;
              req.detach_keys = keys ? *keys : std::string{};
              self->request(actor, std::chrono::seconds(90), actors::exec_atom_v,
                            actors::start_atom_v, id, std::move(req))
                  .then([]() {},
                        [connection](caf::error& err) {
                          connection->finish(error_message(err) + "\r\n");
                        });
              (void)timeout;
            },
            [ex](caf::error& err) { ex->reply_error(err); });
  });
}

void resize_exec(const exchange_ptr& ex) {
  auto size = terminal_size(ex->request().query);
  if (!size) return ex->reply_error(size.error());
  with_exec(ex, [ex, rows = size->first, cols = size->second](caf::event_based_actor* self,
                                                              actors::resolved_container& found) {
    if (rows == 0 || cols == 0) return ex->reply_status(200);
    self->request(found.actor, std::chrono::seconds(30), actors::exec_atom_v, actors::resize_atom_v,
                  ex->request().param("id"), rows, cols)
        .then([ex]() { ex->reply_status(200); }, [ex](caf::error& err) { ex->reply_error(err); });
  });
}

void inspect_exec(const exchange_ptr& ex) {
  with_exec(ex, [ex](caf::event_based_actor* self, actors::resolved_container& found) {
    self->request(found.actor, ex->context().request_timeout(), actors::exec_atom_v,
                  actors::inspect_atom_v, ex->request().param("id"))
        .then([ex](actors::exec_info& info) { ex->reply_json(200, exec_json(info)); },
              [ex](caf::error& err) { ex->reply_error(err); });
  });
}

} // namespace

void add_exec_routes(router& r) {
  r.add("POST", "/containers/{id}/exec", create_exec);
  r.add("POST", "/exec/{id}/start", start_exec);
  r.add("POST", "/exec/{id}/resize", resize_exec);
  r.add("GET", "/exec/{id}/json", inspect_exec);
}

} // namespace berth::api
