// The container actor's running side: start (with attach streams connected first), exit handling,
// the restart policy with dockerd's backoff, and restore after a daemon restart.
#include <caf/actor_cast.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/blocking_pool.hpp"
#include "actors/container_actor_state.hpp"
#include "actors/container_lifecycle.hpp"
#include "actors/containers_manager.hpp"
#include "actors/directory.hpp"
#include "base/error.hpp"
#include "base/log.hpp"
#include "base/time.hpp"
#include "runtime/shim_protocol.hpp"
#include "runtime/shim_watcher.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"containers"};

std::string attach_socket_path(const container_state& st) {
  return st.paths.shim_state + "/" + std::string(shim_protocol::attach_socket);
}

void splice(container_pointer self, container_state::pending_attach& a) {
  container_actor handle = self;
  auto id = a.id;
  splice_options opts;
  opts.preamble = runtime::attach_header(a.request.stdin, a.request.stdout, a.request.stderr);
  opts.detach_keys = a.request.detach_keys;
  opts.forward_input = a.request.stdin;
  a.request.connection->splice(
      attach_socket_path(self->state), std::move(opts),
      [handle, id](bool ok) { caf::anon_send(handle, attached_atom_v, id, ok); }, [] {});
}

// dockerd's exit codes for a process that could not be started.
int start_failure_code(const std::string& message) {
  if (message.find("executable file not found") != std::string::npos ||
      message.find("no such file or directory") != std::string::npos)
    return 127;
  if (message.find("permission denied") != std::string::npos) return 126;
  return 128;
}

void deliver_all(std::vector<caf::response_promise>& replies, const caf::error& err) {
  for (auto& r : replies)
    if (r.pending()) {
      if (err)
        r.deliver(err);
      else
        r.deliver(caf::unit);
    }
  replies.clear();
}

void start_failed(container_pointer self, const caf::error& err) {
  auto& st = self->state;
  st.starting = false;
  auto message = error_message(err);
  lg.info("container failed to start", {{"id", st.rec.id}, {"error", message}});
  st.rec.error = message;
  st.rec.exit_code = start_failure_code(message);
  st.rec.pid = 0;
  st.rec.shim_pid = 0;
  for (auto& a : st.attaches)
    a.request.connection->finish("");
  st.attaches.clear();
  st.attaches_connecting = 0;
  // Every path here has released the sandbox (namespace) already, or never made it.
  release_networks(self, true, [self, err] {
    unmount_volumes(self, [self, err] {
      persist(self, [self, err](caf::error) {
        auto& s = self->state;
        deliver_all(s.start_replies, err);
        deliver_all(s.restart_replies, err);
        answer_waiters(self, true, false);
        publish_summary(self);
        if (s.rec.host.auto_remove) return finish_remove(self);
        archive_resume(self);
      });
    });
  });
}

void mark_running(container_pointer self, int pid) {
  auto& st = self->state;
  st.rec.status = container_status::running;
  st.rec.pid = pid;
  st.rec.started_at = unix_nanos_now();
  st.rec.has_been_started = true;
  st.rec.manually_stopped = false;
  st.rec.exit_code = 0;
  st.rec.oom_killed = false;
  st.rec.error.clear();
  start_health_monitor(self);
  persist(self, [self](caf::error err) {
    auto& s = self->state;
    s.starting = false;
    if (err) {
      lg.error("could not persist a started container",
               {{"id", s.rec.id}, {"error", error_message(err)}});
    }
    publish_event(self, "start");
    observe_action(self, "start", s.start_began);
    deliver_all(s.start_replies, {});
    if (!s.restart_replies.empty()) {
      publish_event(self, "restart");
      deliver_all(s.restart_replies, {});
    }
    publish_summary(self);
    watch_exit(self);
    archive_resume(self);
  });
}

// The shim has created the container and every attach stream is connected: start it.
void send_start(container_pointer self) {
  auto& st = self->state;
  st.attaches_ready = true;
  auto pool = blocking_pool_of(self);
  if (!pool)
    return start_failed(self, make_error(errc::unavailable, "the blocking pool is not running"));
  auto state_dir = st.paths.shim_state;
  auto paths = st.paths;
  run_blocking(
      self, pool,
      [state_dir, paths]() -> caf::expected<int> {
        auto reply = runtime::shim_command(state_dir, "start", std::chrono::seconds(60));
        if (!reply) {
          (void)runtime::shim_command(state_dir, "kill 9", std::chrono::seconds(5));
          (void)cleanup_after_exit(paths);
          return reply.error();
        }
        return std::atoi(reply->c_str());
      },
      [self](caf::expected<int> pid) {
        if (!pid) return start_failed(self, pid.error());
        mark_running(self, *pid);
      });
}

// A start failed after prepare_sandbox: release the mount and namespace first.
void undo_sandbox_then_fail(container_pointer self, caf::error err) {
  auto pool = blocking_pool_of(self);
  if (!pool) return start_failed(self, err);
  auto paths = self->state.paths;
  run_blocking(
      self, pool, [paths]() -> caf::error { return cleanup_after_exit(paths); },
      [self, err](caf::error) { start_failed(self, err); });
}

// dockerd: a container can join only a running container's network namespace.
void plan_shared_network(container_pointer self, const std::string& other,
                         std::function<void(caf::expected<start_plan>)> then) {
  auto manager = directory::lookup<containers_manager_actor>(self->system(), directory::containers);
  if (!manager) return then(make_error(errc::unavailable, "the containers manager is not running"));
  auto not_running = make_error(
      errc::conflict, "cannot join network namespace of a non running container: " + other);
  self->request(manager, std::chrono::seconds(10), resolve_atom_v, other)
      .then(
          [self, then, not_running](resolved_container& found) {
            if (found.id == self->state.rec.id)
              return then(make_error(errc::invalid_argument, "cannot join own network namespace"));
            self->request(found.actor, std::chrono::seconds(10), inspect_atom_v)
                .then(
                    [self, then, not_running](container_record& rec) {
                      if (!rec.running()) return then(not_running);
                      const auto& cfg = self->state.ctx->config;
                      start_plan plan;
                      plan.mode = network_mode::container;
                      plan.files_from = paths_of(rec, cfg.data_root, cfg.exec_root);
                      plan.hostname = rec.hostname;
                      plan.netns_path = network_mode_of(rec) == network_mode::own
                                            ? plan.files_from.netns
                                            : std::string{};
                      if (network_mode_of(rec) == network_mode::host)
                        plan.mode = network_mode::host;
                      then(std::move(plan));
                    },
                    [then, not_running](caf::error&) { then(not_running); });
          },
          [then](caf::error& err) { then(err); }); // No such container: <name>
}

void plan_network(container_pointer self, std::function<void(caf::expected<start_plan>)> then) {
  auto& st = self->state;
  start_plan plan;
  plan.mode = network_mode_of(st.rec);
  switch (plan.mode) {
  case network_mode::host:
    return then(std::move(plan));
  case network_mode::container:
    return plan_shared_network(self, network_container_of(st.rec), std::move(then));
  case network_mode::own:
    if (st.rec.networks.empty() || st.rec.networks.front().name == "none") {
      plan.netns_path = st.paths.netns;
      return then(std::move(plan));
    }
    return connect_networks(self, std::move(then));
  }
}

// The shim creates the container; the attach streams connect; then it starts.
void create_container(container_pointer self, start_plan plan) {
  auto pool = blocking_pool_of(self);
  if (!pool)
    return start_failed(self, make_error(errc::unavailable, "the blocking pool is not running"));
  auto rec = self->state.rec;
  auto paths = self->state.paths;
  auto ctx = self->state.ctx;
  run_blocking(
      self, pool,
      [rec, paths, ctx, plan = std::move(plan)]() -> caf::expected<runtime::shim_started> {
        return create_under_shim(rec, paths, *ctx, plan);
      },
      [self](caf::expected<runtime::shim_started> created) {
        if (!created) return undo_sandbox_then_fail(self, created.error());
        auto& s = self->state;
        s.rec.shim_pid = created->shim_pid;
        s.rec.pid = created->container_pid;
        s.attaches_connecting = s.attaches.size();
        for (auto& a : s.attaches)
          splice(self, a);
        if (s.attaches_connecting == 0) send_start(self);
      });
}

bool should_restart(const container_record& rec) {
  const auto& policy = rec.host.restart;
  if (rec.manually_stopped || rec.host.auto_remove) return false;
  if (policy.name == "always" || policy.name == "unless-stopped") return true;
  if (policy.name == "on-failure")
    return rec.exit_code != 0 &&
           (policy.maximum_retry_count == 0 || rec.restart_count < policy.maximum_retry_count);
  return false;
}

// dockerd's backoff: 100 ms doubling up to a minute, back to 100 ms after a run of 10 s.
void schedule_restart(container_pointer self, int64_t ran_nanos) {
  auto& st = self->state;
  if (ran_nanos >= 10'000'000'000 || st.restart_delay_ms == 0)
    st.restart_delay_ms = 100;
  else
    st.restart_delay_ms = std::min<int64_t>(st.restart_delay_ms * 2, 60'000);
  st.rec.status = container_status::restarting;
  ++st.rec.restart_count;
  auto generation = ++st.restart_generation;
  self->delayed_send(self, std::chrono::milliseconds(st.restart_delay_ms), timer_atom_v,
                     static_cast<uint8_t>(container_timer::restart_backoff), generation);
}

// After the exit is recorded: release the container's resources, then whatever comes next.
void after_exit(container_pointer self) {
  auto pool = blocking_pool_of(self);
  auto paths = self->state.paths;
  auto next = [self] {
    auto& st = self->state;
    deliver_all(st.stop_replies, {});
    st.stopping = false;
    if (st.remove_after_exit || (st.rec.host.auto_remove && !st.restart_after_exit)) {
      answer_waiters(self, true, false);
      return finish_remove(self);
    }
    answer_waiters(self, true, false);
    if (st.restart_after_exit) {
      st.restart_after_exit = false;
      return begin_start(self, caf::response_promise{});
    }
  };
  // The namespace goes first: the kernel then deletes the veths with it in the background,
  // where deleting each veth here would wait ~20 ms for the kernel.
  auto release = [self, next](bool namespace_gone) {
    release_networks(self, namespace_gone, [self, next] { unmount_volumes(self, next); });
  };
  if (!pool) return release(false);
  run_blocking(
      self, pool, [paths]() -> caf::error { return cleanup_after_exit(paths); },
      [release](caf::error err) { release(!err); });
}

// A container that ran when the daemon went away: its shim still runs it, or recorded its exit
// (or died with it: then the exit is unknown).
void reattach(container_pointer self, caf::response_promise done) {
  auto pool = blocking_pool_of(self);
  if (!pool) return done.deliver(make_error(errc::unavailable, "the blocking pool is not running"));
  auto state_dir = self->state.paths.shim_state;
  run_blocking(
      self, pool,
      [state_dir]() -> caf::expected<std::string> {
        return runtime::shim_command(state_dir, "state", std::chrono::seconds(5));
      },
      [self, done](caf::expected<std::string> state) mutable {
        auto& s = self->state;
        done.deliver(caf::unit);
        if (state && state->rfind("exited ", 0) == 0) {
          if (auto exit = runtime::parse_shim_exit(std::string_view(*state).substr(7)))
            return handle_exit(self, *exit);
        }
        if (state) {
          lg.info("reattached to a running container", {{"id", s.rec.id}});
          resume_dns(self);
          resume_volumes(self);
          start_health_monitor(self); // as dockerd: starting again (not while paused)
          publish_summary(self);
          return watch_exit(self); // running: wait for its exit again
        }
        auto exit = runtime::read_shim_exit(s.paths.shim_state);
        if (exit && *exit) return handle_exit(self, **exit);
        runtime::shim_exit lost;
        lost.exit_code = 255;
        lost.finished_at = unix_nanos_now();
        s.rec.error = "the container's shim was gone when the daemon started";
        handle_exit(self, lost);
      });
}

} // namespace

void begin_start(container_pointer self, caf::response_promise reply) {
  auto& st = self->state;
  auto fail = [&](caf::error err) {
    if (reply.pending()) reply.deliver(std::move(err));
  };
  if (st.removing)
    return fail(make_error(errc::conflict, "container " + st.rec.id +
                                               " is marked for removal and cannot be started"));
  if (st.rec.status == container_status::dead)
    return fail(make_error(errc::conflict, "container " + st.rec.id + " is dead"));
  if (st.rec.running() && !st.starting) {
    if (!st.restart_replies.empty()) return; // a docker restart raced an already running container
    return fail(make_error(errc::not_modified, "container already started"));
  }
  if (st.rec.status == container_status::restarting)
    ++st.restart_generation; // a manual start cancels the pending restart
  if (reply.pending()) st.start_replies.push_back(reply);
  if (st.starting) return;
  if (archive_defers_start(self)) return; // docker cp holds the root: started after it
  forget_execs(self); // those of the previous run
  st.starting = true;
  st.attaches_ready = false;
  st.start_began = monotonic_nanos();
  auto pool = blocking_pool_of(self);
  if (!pool)
    return start_failed(self, make_error(errc::unavailable, "the blocking pool is not running"));
  auto rec = st.rec;
  auto paths = st.paths;
  auto ctx = st.ctx;
  // Sandbox (rootfs, namespace) → volumes → network plan → config and shim → attach streams →
  // start.
  run_blocking(
      self, pool, [rec, paths, ctx]() -> caf::error { return prepare_sandbox(rec, paths, *ctx); },
      [self](caf::error err) {
        if (err) return start_failed(self, err);
        mount_volumes(self, [self](caf::expected<std::vector<runtime::volume_mount>> volumes) {
          if (!volumes) return undo_sandbox_then_fail(self, volumes.error());
          plan_network(
              self, [self, volumes = std::move(*volumes)](caf::expected<start_plan> plan) mutable {
                if (!plan) return undo_sandbox_then_fail(self, plan.error());
                plan->volumes = std::move(volumes);
                create_container(self, std::move(*plan));
              });
        });
      });
}

void add_attach(container_pointer self, attach_request request) {
  auto& st = self->state;
  container_state::pending_attach a{st.next_attach_id++, std::move(request)};
  bool shim_exists = st.rec.running() || (st.starting && st.rec.shim_pid != 0);
  if (shim_exists) {
    if (st.starting && !st.attaches_ready) ++st.attaches_connecting;
    splice(self, a);
  }
  st.attaches.push_back(std::move(a));
}

void attach_connected(container_pointer self, uint64_t id, bool ok) {
  auto& st = self->state;
  if (!ok) lg.warn("an attach stream could not connect to the shim", {{"id", st.rec.id}});
  std::erase_if(st.attaches, [id](const container_state::pending_attach& a) { return a.id == id; });
  if (st.starting && !st.attaches_ready && st.attaches_connecting > 0 &&
      --st.attaches_connecting == 0)
    send_start(self);
}

void watch_exit(container_pointer self) {
  auto& st = self->state;
  if (st.watching || !st.ctx->watcher) return;
  st.watching = true;
  container_actor handle = self;
  st.ctx->watcher->watch(st.paths.shim_state, [handle](caf::expected<runtime::shim_exit> r) {
    runtime::shim_exit status;
    if (r) {
      status = *r;
    } else {
      status.exit_code = 255;
      status.finished_at = unix_nanos_now();
    }
    caf::anon_send(handle, exited_atom_v, status);
  });
}

void handle_exit(container_pointer self, const runtime::shim_exit& status) {
  auto& st = self->state;
  st.watching = false;
  if (!st.rec.running()) return; // already handled
  auto ran = (status.finished_at ? status.finished_at : unix_nanos_now()) - st.rec.started_at;
  st.rec.status = container_status::exited;
  st.rec.exit_code = status.exit_code;
  st.rec.oom_killed = status.oom_killed;
  st.rec.finished_at = status.finished_at ? status.finished_at : unix_nanos_now();
  st.rec.pid = 0;
  st.rec.shim_pid = 0;
  ++st.stop_generation; // any stop deadline is moot now
  stop_health_monitor(self);
  bool restart = !st.stopping && !st.removing && !st.remove_after_exit && !st.restart_after_exit &&
                 should_restart(st.rec);
  if (restart) schedule_restart(self, ran);
  persist(self, [self](caf::error err) {
    auto& s = self->state;
    if (err)
      lg.error("could not persist an exit", {{"id", s.rec.id}, {"error", error_message(err)}});
    if (s.rec.oom_killed) publish_event(self, "oom");
    publish_event(self, "die", {{"exitCode", std::to_string(s.rec.exit_code)}});
    if (s.stop_emits_event) {
      s.stop_emits_event = false;
      publish_event(self, "stop");
    }
    publish_summary(self);
    after_exit(self);
  });
}

void restart_timer(container_pointer self, uint64_t generation) {
  auto& st = self->state;
  if (generation != st.restart_generation || st.rec.status != container_status::restarting) return;
  begin_start(self, caf::response_promise{});
}

void restore(container_pointer self, caf::response_promise done) {
  auto& st = self->state;
  auto policy = st.rec.host.restart.name;
  bool restart_on_boot =
      policy == "always" || (policy == "unless-stopped" && !st.rec.manually_stopped);
  publish_summary(self);
  switch (st.rec.status) {
  case container_status::removing:
    done.deliver(caf::unit);
    return finish_remove(self);
  case container_status::restarting:
    st.rec.status = container_status::exited;
    return release_networks(self, false, [self, done]() mutable { begin_start(self, done); });
  case container_status::running:
  case container_status::paused:
    return reattach(self, done);
  default:
    // Endpoints a crash left behind (stored before the exit was): released first.
    return release_networks(self, false, [self, done, restart_on_boot]() mutable {
      auto& s = self->state;
      if (s.rec.status == container_status::exited && s.rec.has_been_started && restart_on_boot)
        return begin_start(self, done);
      done.deliver(caf::unit);
    });
  }
}

} // namespace berth::actors
