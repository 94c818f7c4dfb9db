// The container actor's execs (docker exec): the table of its execs, the process JSON written
// for the shim, the client spliced to the exec's socket before the shim starts it, the exit from
// the shim's wait, and dockerd's exec_create / exec_start / exec_die events. Healthcheck probes
// are started through the same launch (launch_exec).
#include <chrono>
#include <cstdlib>

#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/blocking_pool.hpp"
#include "actors/container_actor_state.hpp"
#include "actors/directory.hpp"
#include "base/error.hpp"
#include "base/log.hpp"
#include "base/random.hpp"
#include "base/sys.hpp"
#include "runtime/container_config.hpp"
#include "runtime/exec_process_spec.hpp"
#include "runtime/shim_protocol.hpp"
#include "runtime/shim_watcher.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"containers"};

caf::error not_running(const container_state& st) {
  if (st.rec.status == container_status::paused)
    return make_error(errc::conflict,
                      "Container " + st.rec.id + " is paused, unpause the container before exec");
  return make_error(errc::conflict, "container " + st.rec.id + " is not running");
}

/// How long a client's exec may take to start (`runtime exec` returning).
constexpr auto exec_start_timeout = std::chrono::seconds(60);

/// A failed `exec-start` as dockerd reports it: the runtime's failure (errc::system) as "OCI
/// runtime exec failed: <message>: unknown", anything else as it is.
caf::error exec_start_error(const caf::error& err) {
  if (error_kind(err) != errc::system) return err;
  return make_error(errc::system, "OCI runtime exec failed: " + error_message(err) + ": unknown");
}

/// A client's exec ended: `(exec, exited)` to the container actor.
exec_exit_sink exec_exit_message(container_pointer self, const std::string& id) {
  container_actor handle = self;
  return [handle, id](caf::expected<runtime::shim_exit> status) {
    if (status)
      caf::anon_send(handle, exec_atom_v, exited_atom_v, id, *status, true);
    else
      caf::anon_send(handle, exec_atom_v, exited_atom_v, id, runtime::shim_exit{}, false);
  };
}

// The shim answered `exec-start` for a client's exec: its start request is answered.
void exec_launched(container_pointer self, const std::string& id, caf::expected<int> pid) {
  auto found = self->state.execs.find(id);
  if (found == self->state.execs.end()) return;
  auto& exec = found->second;
  if (!pid)
    lg.info("exec failed to start",
            {{"id", self->state.rec.id}, {"exec", id}, {"error", error_message(pid.error())}});
  exec.start.connection.reset();
  if (!exec.start_reply.pending()) return;
  if (pid)
    exec.start_reply.deliver(caf::unit);
  else
    exec.start_reply.deliver(pid.error());
}

// The client (if any) is connected: the shim runs the process.
void run_exec(container_pointer self, const std::string& id) {
  auto err = launch_exec(self, id, exec_start_timeout, exec_exit_message(self, id),
                         [self, id](caf::expected<int> pid) { exec_launched(self, id, pid); });
  if (!err) return;
  auto it = self->state.execs.find(id);
  if (it != self->state.execs.end() && it->second.start_reply.pending())
    it->second.start_reply.deliver(err);
}

} // namespace

std::string exec_command_text(const std::vector<std::string>& cmd) {
  std::string out;
  for (const auto& w : cmd) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

// Blocking: reads config.json and the container's passwd/group.
caf::expected<std::string> write_exec_process(const container_paths& paths,
                                              const std::vector<std::string>& group_add,
                                              const std::string& id, const exec_config& config) {
  auto spec_text = sys::read_file(paths.bundle + "/config.json", 16 << 20);
  if (!spec_text) return spec_text.error();
  auto spec = nlohmann::json::parse(*spec_text, nullptr, false);
  if (spec.is_discarded() || !spec.is_object())
    return make_error(errc::internal, "the container's config.json is not valid JSON");
  runtime::exec_process_inputs in;
  in.args = config.cmd;
  in.env = config.env;
  in.working_dir = config.working_dir;
  in.privileged = config.privileged;
  if (config.privileged) in.all_caps = runtime::available_capabilities();
  in.tty = config.tty;
  in.rows = config.rows;
  in.cols = config.cols;
  if (!config.user.empty()) {
    auto user = runtime::resolve_user(paths.rootfs, config.user, group_add);
    if (!user) return user.error();
    in.user = *user;
  }
  auto process = runtime::make_exec_process(spec.value("process", nlohmann::json{}), in);
  if (!process) return process.error();
  auto path = paths.shim_state + "/" + shim_protocol::exec_process_file(id);
  if (auto err = sys::write_file_atomic(path, process->dump(), 0600)) return err;
  std::string command =
      "exec " + id + (config.tty ? " 1" : " 0") + (config.attach_stdin ? " 1" : " 0");
  auto reply = runtime::shim_command(paths.shim_state, command, std::chrono::seconds(10));
  if (!reply) return reply.error();
  return std::string{};
}

void register_exec(container_pointer self, const std::string& id, exec_config config) {
  auto& st = self->state;
  auto cmd = exec_command_text(config.cmd);
  container_state::exec_entry entry;
  entry.config = std::move(config);
  st.execs.emplace(id, std::move(entry));
  if (st.ctx->execs) st.ctx->execs->add(id, st.rec.id);
  publish_event(self, "exec_create: " + cmd, {{"execID", id}});
}

caf::error launch_exec(container_pointer self, const std::string& id,
                       std::chrono::seconds start_timeout, exec_exit_sink on_exit,
                       std::function<void(caf::expected<int>)> then) {
  auto& st = self->state;
  auto it = st.execs.find(id);
  if (it == st.execs.end()) return make_error(errc::not_found, "No such exec instance: " + id);
  auto pool = blocking_pool_of(self);
  if (!pool) return make_error(errc::unavailable, "the blocking pool is not running");
  it->second.started = true;
  publish_event(self, "exec_start: " + exec_command_text(it->second.config.cmd), {{"execID", id}});
  auto state_dir = st.paths.shim_state;
  run_blocking(
      self, pool,
      [state_dir, id, start_timeout]() -> caf::expected<std::string> {
        return runtime::shim_command(state_dir, "exec-start " + id, start_timeout);
      },
      [self, id, on_exit, then](caf::expected<std::string> reply) {
        // Also after a failed start: the shim recorded its exit code (126/127).
        self->state.ctx->watcher->watch_exec(self->state.paths.shim_state, id, on_exit);
        if (!reply) return then(exec_start_error(reply.error()));
        int pid = std::atoi(reply->c_str());
        if (auto found = self->state.execs.find(id); found != self->state.execs.end()) {
          found->second.running = true;
          found->second.pid = pid;
        }
        then(pid);
      });
  return {};
}

caf::result<std::string> create_exec(container_pointer self, exec_config config) {
  auto& st = self->state;
  if (st.rec.status != container_status::running || st.removing) return not_running(st);
  if (config.cmd.empty()) return make_error(errc::invalid_argument, "No exec command specified");
  auto id = random_hex(32);
  register_exec(self, id, std::move(config));
  return id;
}

void start_exec(container_pointer self, const std::string& id, exec_start_request request,
                caf::response_promise reply) {
  auto& st = self->state;
  auto it = st.execs.find(id);
  if (it == st.execs.end())
    return reply.deliver(make_error(errc::not_found, "No such exec instance: " + id));
  auto& exec = it->second;
  if (exec.started)
    return reply.deliver(make_error(
        errc::conflict, exec.running ? "Error: Exec command " + id + " is already running"
                                     : "Error: Exec command " + id + " has already run"));
  if (st.rec.status != container_status::running || st.removing)
    return reply.deliver(not_running(st));
  auto pool = blocking_pool_of(self);
  if (!pool)
    return reply.deliver(make_error(errc::unavailable, "the blocking pool is not running"));
  exec.started = true;
  if (request.rows > 0 && request.cols > 0) {
    exec.config.rows = request.rows;
    exec.config.cols = request.cols;
  }
  exec.start = std::move(request);
  exec.start_reply = std::move(reply);
  auto paths = st.paths;
  auto group_add = st.rec.host.group_add;
  auto config = exec.config;
  run_blocking(
      self, pool,
      [paths, group_add, id, config]() { return write_exec_process(paths, group_add, id, config); },
      [self, id](caf::expected<std::string> prepared) {
        auto found = self->state.execs.find(id);
        if (found == self->state.execs.end()) return;
        auto& entry = found->second;
        if (!prepared) {
          entry.exit_code = 126;
          entry.start.connection.reset(); // the route ends the stream with the error
          entry.start_reply.deliver(prepared.error());
          return;
        }
        if (!entry.start.connection) return run_exec(self, id);
        splice_options opts;
        opts.preamble = runtime::attach_header(
            entry.config.attach_stdin, entry.config.attach_stdout, entry.config.attach_stderr);
        opts.detach_keys = entry.config.attach_stdin ? entry.start.detach_keys : std::string{};
        opts.forward_input = entry.config.attach_stdin;
        container_actor handle = self;
        entry.start.connection->splice(
            self->state.paths.shim_state + "/" + shim_protocol::exec_socket(id), std::move(opts),
            [handle, id](bool ok) { caf::anon_send(handle, exec_atom_v, attached_atom_v, id, ok); },
            [] {});
      });
}

void exec_attached(container_pointer self, const std::string& id, bool ok) {
  auto it = self->state.execs.find(id);
  if (it == self->state.execs.end()) return;
  auto& exec = it->second;
  if (!ok) lg.warn("an exec stream could not connect to the shim", {{"exec", id}});
  // The client has its stream: the HTTP exchange is over either way.
  if (exec.start_reply.pending()) exec.start_reply.deliver(caf::unit);
  exec.start_reply = caf::response_promise{};
  run_exec(self, id);
}

void exec_exited(container_pointer self, const std::string& id, const runtime::shim_exit& status,
                 bool known) {
  auto it = self->state.execs.find(id);
  if (it == self->state.execs.end() || it->second.exit_code) return;
  auto& exec = it->second;
  exec.running = false;
  if (!known) return;
  exec.exit_code = status.exit_code;
  publish_event(self, "exec_die", {{"execID", id}, {"exitCode", std::to_string(status.exit_code)}});
}

void inspect_exec(container_pointer self, const std::string& id,
                  caf::typed_response_promise<exec_info> reply) {
  auto& st = self->state;
  auto it = st.execs.find(id);
  if (it == st.execs.end()) {
    reply.deliver(make_error(errc::not_found, "No such exec instance: " + id));
    return;
  }
  auto answer = [self, id, reply]() mutable {
    auto found = self->state.execs.find(id);
    if (found == self->state.execs.end()) {
      reply.deliver(make_error(errc::not_found, "No such exec instance: " + id));
      return;
    }
    const auto& exec = found->second;
    exec_info info;
    info.id = id;
    info.container_id = self->state.rec.id;
    info.config = exec.config;
    info.running = exec.running && !exec.exit_code;
    info.exit_code = exec.exit_code;
    info.pid = exec.pid;
    info.open_stdin = exec.config.attach_stdin;
    reply.deliver(std::move(info));
  };
  auto pool = blocking_pool_of(self);
  if (!it->second.started || it->second.exit_code || !pool) {
    answer();
    return;
  }
  // The stream of `docker exec` ends when the shim has recorded the exit; the CLI asks right
  // after, maybe before the shim's wait reply has reached us: the exit file tells.
  auto path = st.paths.shim_state + "/" + shim_protocol::exec_exit_file(id);
  run_blocking(
      self, pool,
      [path]() -> caf::expected<std::optional<runtime::shim_exit>> {
        return runtime::read_exit_file(path);
      },
      [self, id, answer](caf::expected<std::optional<runtime::shim_exit>> recorded) mutable {
        if (recorded && *recorded) exec_exited(self, id, **recorded, true);
        answer();
      });
}

void resize_exec(container_pointer self, const std::string& id, int rows, int cols,
                 caf::response_promise reply) {
  auto it = self->state.execs.find(id);
  if (it == self->state.execs.end())
    return reply.deliver(make_error(errc::not_found, "No such exec instance: " + id));
  if (!it->second.running) return reply.deliver(caf::unit);
  auto pool = blocking_pool_of(self);
  if (!pool)
    return reply.deliver(make_error(errc::unavailable, "the blocking pool is not running"));
  auto state_dir = self->state.paths.shim_state;
  auto command = "resize-exec " + id + " " + std::to_string(rows) + " " + std::to_string(cols);
  run_blocking(
      self, pool,
      [state_dir, command]() -> caf::expected<std::string> {
        return runtime::shim_command(state_dir, command, std::chrono::seconds(10));
      },
      [reply](caf::expected<std::string> done) mutable {
        if (done)
          reply.deliver(caf::unit);
        else
          reply.deliver(done.error());
      });
}

void forget_execs(container_pointer self) {
  auto& st = self->state;
  for (auto& [id, exec] : st.execs) {
    if (exec.start_reply.pending())
      exec.start_reply.deliver(not_running(st)); // the route ends the stream
    else if (exec.start.connection)
      exec.start.connection->finish("");
    if (st.ctx->execs) st.ctx->execs->remove(id);
  }
  st.execs.clear();
}

} // namespace berth::actors
