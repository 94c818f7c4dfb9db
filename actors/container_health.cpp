// The container actor's healthchecks, as dockerd's daemon/health.go runs them: one probe at a
// time on a timer; each probe an exec in the container run through the shim like docker exec
// (exec_create / exec_start / exec_die events included), its stdout and stderr read by the daemon
// on the I/O threads, killed at its timeout; its result recorded in State.Health with dockerd's
// rules (runtime/health_state), a health_status event when the status changes, the healthcheck
// metrics. Probes stop at the exit and while paused.
#include <chrono>
#include <unistd.h>

#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/blocking_pool.hpp"
#include "actors/container_actor_state.hpp"
#include "base/error.hpp"
#include "base/log.hpp"
#include "base/random.hpp"
#include "base/time.hpp"
#include "metrics/daemon_probes.hpp"
#include "runtime/exec_output_reader.hpp"
#include "runtime/health_state.hpp"
#include "runtime/shim_protocol.hpp"
#include "runtime/shim_watcher.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"containers"};
/// dockerd gives up on a probe whose exec does not start within 30 s.
constexpr auto probe_start_timeout = std::chrono::seconds(30);

using kind = health_event::kind;

metrics::healthcheck_probe& health_metrics(container_pointer self) {
  return self->state.ctx->probes->healthchecks();
}

bool is_current(container_pointer self, uint64_t number) {
  const auto& probe = self->state.health.probe;
  return probe && probe->number == number;
}

health_event make_event(kind what, uint64_t probe) {
  health_event ev;
  ev.what = what;
  ev.probe = probe;
  return ev;
}

void schedule_probe(container_pointer self) {
  auto& st = self->state;
  const auto& healthcheck = st.health.healthcheck;
  if (!st.health.active || !healthcheck || !st.rec.health) return;
  auto delay = runtime::next_probe_delay(*healthcheck, st.rec.health->status, st.rec.started_at,
                                         unix_nanos_now());
  self->delayed_send(self, std::chrono::nanoseconds(delay), health_atom_v,
                     make_event(kind::tick, st.health.generation));
}

/// The probe's exec leaves the container's table (probes are not kept for `docker exec inspect`
/// once they are done; dockerd drops them within minutes).
void forget_probe_exec(container_pointer self, const std::string& id) {
  auto& st = self->state;
  st.execs.erase(id);
  if (st.ctx->execs) st.ctx->execs->remove(id);
}

void kill_probe_exec(container_pointer self, const std::string& id) {
  auto pool = blocking_pool_of(self);
  if (!pool) return;
  auto state_dir = self->state.paths.shim_state;
  auto container = self->state.rec.id;
  run_blocking(
      self, pool,
      [state_dir, id]() -> caf::expected<std::string> {
        return runtime::shim_command(state_dir, "kill-exec " + id + " 9", std::chrono::seconds(5));
      },
      [container, id](caf::expected<std::string> done) {
        if (!done)
          lg.debug("could not kill a health check probe",
                   {{"id", container}, {"exec", id}, {"error", error_message(done.error())}});
      });
}

/// A probe's exec the shim prepared but that will not be started: kill-exec has the shim discard
/// it (else it listens on its socket and holds one of the shim's exec places until the container
/// exits). The shim records it as killed: its exit file goes with the next probe's preparation.
void discard_prepared_exec(container_pointer self, const std::string& id) {
  kill_probe_exec(self, id);
  self->state.health.finished_exec_ids.push_back(id);
}

/// The probe in flight is done with, or abandoned (its results will be stale); `kill` also ends
/// its process. An exec that was not started is forgotten (no exit will come for it) and
/// discarded by the shim when prepared there.
void drop_probe(container_pointer self, bool kill) {
  auto& h = self->state.health;
  if (!h.probe) return;
  auto& p = *h.probe;
  if (p.reader) p.reader->cancel();
  if (!p.exec_started) {
    forget_probe_exec(self, p.exec_id);
    if (p.exec_prepared) discard_prepared_exec(self, p.exec_id);
  } else if (kill && !p.exit_reported) {
    kill_probe_exec(self, p.exec_id);
  }
  h.probe.reset();
}

void finish_probe(container_pointer self, int exit_code, const std::string& output, bool failed) {
  auto& st = self->state;
  auto& h = st.health;
  if (!h.probe) return;
  if (failed) {
    health_metrics(self).check_failed();
    lg.warn("health check for container failed to run", {{"id", st.rec.id}, {"error", output}});
  }
  // Every probe's Output passes here (its own, a timeout's, an error's): made valid UTF-8 once.
  runtime::health_result result{h.probe->start, unix_nanos_now(), exit_code,
                                runtime::valid_utf8(output)};
  drop_probe(self, false);
  if (!h.healthcheck || !st.rec.health) return;
  if (runtime::record_result(*st.rec.health, std::move(result), *h.healthcheck,
                             st.rec.started_at)) {
    publish_event(self, std::string("health_status: ") + runtime::to_string(st.rec.health->status));
    publish_summary(self);
    // dockerd keeps the health in the container's state on disk; stored at each change of status.
    persist(self, [self](caf::error err) {
      if (err)
        lg.warn("could not persist a container's health",
                {{"id", self->state.rec.id}, {"error", error_message(err)}});
    });
  }
  schedule_probe(self);
}

// Everything the probe owes has come in: its result.
void maybe_finish(container_pointer self) {
  auto& st = self->state;
  auto& p = *st.health.probe;
  if (p.timed_out) {
    if (!p.output) return; // the cancelled reader hands over what it had
    return finish_probe(self, -1,
                        runtime::timeout_output(st.health.healthcheck->timeout, *p.output), false);
  }
  if (!p.output || !p.exit_reported) return;
  if (!p.exit_code)
    return finish_probe(self, -1, "healthcheck for container " + st.rec.id + " has no exit code",
                        true);
  finish_probe(self, *p.exit_code, *p.output, false);
}

/// The probe's exit, as a health event (on_exited also updates the exec's record from it).
exec_exit_sink probe_exit_sink(container_pointer self, uint64_t number, const std::string& id) {
  container_actor handle = self;
  return [handle, number, id](caf::expected<runtime::shim_exit> status) {
    auto ev = make_event(kind::exited, number);
    ev.exec_id = id;
    ev.ok = static_cast<bool>(status);
    if (status) ev.exit = *status;
    caf::anon_send(handle, health_atom_v, std::move(ev));
  };
}

// The shim answered `exec-start` for the current probe: its exit is watched from now on.
void probe_launched(container_pointer self, caf::expected<int> pid) {
  auto& s = self->state;
  auto& probe_run = *s.health.probe;
  probe_run.exec_started = true;
  if (!pid) return finish_probe(self, -1, error_message(pid.error()), true);
  health_metrics(self).observe_start(
      static_cast<double>(monotonic_nanos() - probe_run.start_monotonic) / 1e9);
  self->delayed_send(self, std::chrono::nanoseconds(s.health.healthcheck->timeout), health_atom_v,
                     make_event(kind::timeout, probe_run.number));
}

// The reader is connected: the shim runs the probe.
void start_probe_exec(container_pointer self) {
  auto& p = *self->state.health.probe;
  auto number = p.number;
  auto id = p.exec_id;
  auto err = launch_exec(self, id, probe_start_timeout, probe_exit_sink(self, number, id),
                         [self, number, id](caf::expected<int> pid) {
                           if (is_current(self, number)) return probe_launched(self, pid);
                           if (pid) kill_probe_exec(self, id); // abandoned meanwhile (pause, exit)
                         });
  if (err) finish_probe(self, -1, error_message(err), true);
}

void connect_reader(container_pointer self) {
  auto& st = self->state;
  auto& p = *st.health.probe;
  if (!st.ctx->io || !st.ctx->watcher)
    return finish_probe(self, -1, "the daemon's I/O threads are not running", true);
  container_actor handle = self;
  auto number = p.number;
  p.reader = runtime::exec_output_reader::start(
      *st.ctx->io, st.paths.shim_state, p.exec_id,
      [handle, number](bool ok) {
        auto ev = make_event(kind::connected, number);
        ev.ok = ok;
        caf::anon_send(handle, health_atom_v, std::move(ev));
      },
      [handle, number](std::string text) {
        auto ev = make_event(kind::output, number);
        ev.text = std::move(text);
        caf::anon_send(handle, health_atom_v, std::move(ev));
      });
}

void begin_probe(container_pointer self) {
  auto& st = self->state;
  auto& h = st.health;
  if (!h.healthcheck) return;
  const auto& command = h.healthcheck->command;
  health_metrics(self).check_started();
  auto& p = h.probe.emplace();
  p.number = ++h.probes_started;
  p.start = unix_nanos_now();
  p.start_monotonic = monotonic_nanos();
  if (command.empty())
    return finish_probe(self, -1, "healthcheck for container " + st.rec.id + " has no command",
                        true);
  auto pool = blocking_pool_of(self);
  if (!pool) return finish_probe(self, -1, "the blocking pool is not running", true);
  // dockerd's probe: the container's user, working directory and environment, no TTY, no stdin.
  exec_config config;
  config.cmd = command;
  config.attach_stdout = true;
  config.attach_stderr = true;
  p.exec_id = random_hex(32);
  register_exec(self, p.exec_id, config);
  auto paths = st.paths;
  auto group_add = st.rec.host.group_add;
  auto finished = std::move(h.finished_exec_ids);
  h.finished_exec_ids.clear();
  run_blocking(
      self, pool,
      [paths, group_add, id = p.exec_id, config, finished]() -> caf::expected<std::string> {
        for (const auto& old : finished)
          ::unlink((paths.shim_state + "/" + shim_protocol::exec_exit_file(old)).c_str());
        return write_exec_process(paths, group_add, id, config);
      },
      [self, number = p.number, id = p.exec_id](caf::expected<std::string> prepared) {
        if (!is_current(self, number)) { // dropped meanwhile, with its exec's record
          if (prepared) discard_prepared_exec(self, id);
          return;
        }
        if (!prepared) return finish_probe(self, -1, error_message(prepared.error()), true);
        self->state.health.probe->exec_prepared = true;
        connect_reader(self);
      });
}

void on_exited(container_pointer self, const health_event& ev) {
  auto& st = self->state;
  exec_exited(self, ev.exec_id, ev.exit, ev.ok); // the exec's record and exec_die
  forget_probe_exec(self, ev.exec_id);
  st.health.finished_exec_ids.push_back(ev.exec_id);
  if (!is_current(self, ev.probe)) return;
  auto& p = *st.health.probe;
  p.exit_reported = true;
  if (ev.ok) p.exit_code = ev.exit.exit_code;
  maybe_finish(self);
}

void on_timeout(container_pointer self, uint64_t number) {
  if (!is_current(self, number)) return;
  auto& p = *self->state.health.probe;
  if (p.timed_out || (p.exit_reported && p.output)) return;
  lg.debug("health check probe ran past its timeout",
           {{"id", self->state.rec.id}, {"exec", p.exec_id}});
  p.timed_out = true;
  if (!p.exit_reported) kill_probe_exec(self, p.exec_id);
  if (p.reader) p.reader->cancel();
  maybe_finish(self);
}

void stop_probes(container_pointer self, bool kill) {
  auto& st = self->state;
  bool was_active = st.health.active;
  drop_probe(self, kill);
  ++st.health.generation;
  st.health.active = false;
  // dockerd: "unhealthy when the monitor has stopped".
  if (was_active && st.rec.health) runtime::end_monitoring(*st.rec.health);
}

/// Probes are scheduled (a start, an unpause). The generation needs no bump here: each stop
/// bumped it, and no tick of the current generation is sent while probes are inactive.
void resume_probes(container_pointer self) {
  auto& st = self->state;
  if (st.health.active || st.rec.status != container_status::running || !st.health.healthcheck)
    return;
  // Unpausing a container restored paused: its record may hold no health yet.
  if (!st.rec.health) runtime::begin_monitoring(st.rec.health);
  st.health.active = true;
  schedule_probe(self);
}

} // namespace

void start_health_monitor(container_pointer self) {
  auto& st = self->state;
  drop_probe(self, false);
  ++st.health.generation;
  st.health.active = false;
  st.health.finished_exec_ids.clear(); // a new run has a new shim directory
  // Also for a container restored paused: its probes start at the unpause.
  st.health.healthcheck = runtime::probe_of(st.rec.config);
  if (st.rec.status != container_status::running || !st.health.healthcheck) return;
  runtime::begin_monitoring(st.rec.health);
  resume_probes(self);
}

void stop_health_monitor(container_pointer self) {
  stop_probes(self, false); // the container's processes are gone or going
}

void pause_health_monitor(container_pointer self, bool paused) {
  if (paused)
    stop_probes(self, true);
  else
    resume_probes(self);
}

void handle_health_event(container_pointer self, health_event& ev) {
  auto& st = self->state;
  switch (ev.what) {
  case kind::tick:
    if (ev.probe != st.health.generation || !st.health.active || st.health.probe ||
        st.rec.status != container_status::running || st.removing)
      return;
    return begin_probe(self);
  case kind::connected:
    if (!is_current(self, ev.probe)) return;
    if (!ev.ok)
      return finish_probe(self, -1, "could not connect to the health check's output", true);
    return start_probe_exec(self);
  case kind::output:
    if (!is_current(self, ev.probe)) return;
    st.health.probe->output = std::move(ev.text);
    return maybe_finish(self);
  case kind::exited:
    return on_exited(self, ev);
  case kind::timeout:
    return on_timeout(self, ev.probe);
  }
}

} // namespace berth::actors
