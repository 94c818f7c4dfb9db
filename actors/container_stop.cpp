// The container actor's stopping side: docker stop (signal, then SIGKILL after the timeout),
// docker kill, and removal.
#include <csignal>

#include <caf/typed_event_based_actor.hpp>

#include "actors/blocking_pool.hpp"
#include "actors/container_actor_state.hpp"
#include "actors/container_lifecycle.hpp"
#include "actors/containers_manager.hpp"
#include "actors/directory.hpp"
#include "actors/state_store_actor.hpp"
#include "base/error.hpp"
#include "base/log.hpp"
#include "base/time.hpp"
#include "runtime/signal_names.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"containers"};

// Sends `signo` to the container's init through its shim, then emits the kill event.
void deliver_signal(container_pointer self, int signo, std::function<void(caf::error)> then) {
  auto pool = blocking_pool_of(self);
  if (!pool) return then(make_error(errc::unavailable, "the blocking pool is not running"));
  auto state_dir = self->state.paths.shim_state;
  run_blocking(
      self, pool,
      [state_dir, signo]() -> caf::expected<std::string> {
        return runtime::shim_command(state_dir, "kill " + std::to_string(signo),
                                     std::chrono::seconds(10));
      },
      [self, signo, then](caf::expected<std::string> r) {
        if (!r) {
          // A container that has just exited has nothing left to signal.
          if (!self->state.rec.running()) return then({});
          return then(r.error());
        }
        publish_event(self, "kill", {{"signal", std::to_string(signo)}});
        // A frozen container gets the signal when it is thawed: stop and kill resume it.
        resume_if_paused(self, [then] { then({}); });
      });
}

caf::expected<int> stop_signal_of(const container_record& rec, const std::string& requested) {
  if (!requested.empty()) return runtime::parse_signal(requested);
  if (!rec.config.stop_signal.empty()) return runtime::parse_signal(rec.config.stop_signal);
  if (rec.image_config.is_object() && rec.image_config.contains("StopSignal") &&
      rec.image_config["StopSignal"].is_string() &&
      !rec.image_config["StopSignal"].get<std::string>().empty())
    return runtime::parse_signal(rec.image_config["StopSignal"].get<std::string>());
  return SIGTERM;
}

std::string display_name(const container_record& rec) {
  return "/" + rec.name;
}

} // namespace

void begin_stop(container_pointer self, int timeout_s, const std::string& signal,
                caf::response_promise reply) {
  auto& st = self->state;
  if (st.rec.status == container_status::restarting) {
    // Stopping a container waiting to restart cancels the restart.
    ++st.restart_generation;
    st.rec.status = container_status::exited;
    st.rec.manually_stopped = true;
    persist(self, [self, reply](caf::error err) mutable {
      publish_summary(self);
      answer_waiters(self, true, false);
      if (reply.pending()) {
        if (err)
          reply.deliver(err);
        else
          reply.deliver(caf::unit);
      }
    });
    return;
  }
  if (!st.rec.running() && !st.starting) {
    if (reply.pending()) reply.deliver(make_error(errc::not_modified, "container already stopped"));
    return;
  }
  auto signo = stop_signal_of(st.rec, signal);
  if (!signo) {
    if (reply.pending()) reply.deliver(signo.error());
    return;
  }
  if (reply.pending()) st.stop_replies.push_back(reply);
  st.rec.manually_stopped = true;
  if (st.stopping) return;
  st.stopping = true;
  st.stop_emits_event = true;
  int timeout = timeout_s >= 0 ? timeout_s : st.rec.config.stop_timeout.value_or(10);
  auto generation = ++st.stop_generation;
  deliver_signal(self, *signo, [self, timeout, generation](caf::error err) {
    if (err)
      lg.warn("stop signal failed", {{"id", self->state.rec.id}, {"error", error_message(err)}});
    if (!self->state.rec.running()) return;
    self->delayed_send(self, std::chrono::seconds(timeout), timer_atom_v,
                       static_cast<uint8_t>(container_timer::stop_deadline), generation);
  });
}

void stop_deadline(container_pointer self, uint64_t generation) {
  auto& st = self->state;
  if (generation != st.stop_generation || !st.rec.running()) return;
  lg.info("container did not stop in time, killing it", {{"id", st.rec.id}});
  deliver_signal(self, SIGKILL, [](caf::error) {});
}

void send_signal(container_pointer self, const std::string& signal, caf::response_promise reply) {
  auto& st = self->state;
  auto signo = signal.empty() ? caf::expected<int>(SIGKILL) : runtime::parse_signal(signal);
  if (!signo) return reply.deliver(signo.error());
  if (!st.rec.running())
    return reply.deliver(make_error(errc::conflict, "cannot kill container: " + st.rec.id +
                                                        ": container " + st.rec.id +
                                                        " is not running"));
  if (*signo == SIGKILL)
    st.rec.manually_stopped = true; // dockerd: a killed container is not restarted
  deliver_signal(self, *signo, [reply](caf::error err) mutable {
    if (err)
      reply.deliver(err);
    else
      reply.deliver(caf::unit);
  });
}

void begin_remove(container_pointer self, bool force, caf::response_promise reply) {
  auto& st = self->state;
  if (st.removing)
    return reply.deliver(make_error(errc::conflict, "removal of container " + st.rec.id +
                                                        " is already in progress"));
  if (st.commits > 0)
    return reply.deliver(make_error(errc::conflict, "You cannot remove container " + st.rec.id +
                                                        " while it is being committed"));
  if (st.rec.running() || st.starting) {
    if (!force)
      return reply.deliver(make_error(
          errc::conflict, "cannot remove container \"" + display_name(st.rec) +
                              "\": container is running: stop the container before removing or "
                              "force remove"));
    st.removing = true;
    st.remove_after_exit = true;
    st.remove_replies.push_back(reply);
    st.rec.manually_stopped = true;
    deliver_signal(self, SIGKILL, [](caf::error) {});
    publish_summary(self);
    return;
  }
  if (st.rec.status == container_status::restarting) {
    if (!force)
      return reply.deliver(make_error(
          errc::conflict, "cannot remove container \"" + display_name(st.rec) +
                              "\": container is restarting: stop the container before removing or "
                              "force remove"));
    ++st.restart_generation;
  }
  st.removing = true;
  st.remove_replies.push_back(reply);
  finish_remove(self);
}

void finish_remove(container_pointer self) {
  if (archive_defers_remove(self)) return; // docker cp holds the root: removed after it
  auto& st = self->state;
  st.removing = true;
  st.rec.status = container_status::removing;
  for (auto& a : st.attaches)
    a.request.connection->finish("");
  st.attaches.clear();
  forget_execs(self);
  auto began = monotonic_nanos();
  persist(self, [self, began](caf::error) {
    publish_summary(self);
    auto pool = blocking_pool_of(self);
    auto paths = self->state.paths;
    auto erase_record = [self, began] {
      auto store = directory::lookup<state_store_actor>(self->system(), directory::state);
      auto done = [self, began] {
        auto& s = self->state;
        publish_event(self, "destroy");
        observe_action(self, "delete", began);
        answer_waiters(self, true, true);
        if (auto manager =
                directory::lookup<containers_manager_actor>(self->system(), directory::containers))
          self->send(manager, removed_atom_v, s.rec.id);
        for (auto& r : s.remove_replies)
          if (r.pending()) r.deliver(caf::unit);
        s.remove_replies.clear();
        self->quit();
      };
      // The volumes are given back once the record is gone (`rm -v` and --rm remove the
      // anonymous ones, as dockerd).
      auto release = [self, done] {
        auto& s = self->state;
        release_volumes(self, s.remove_volumes || s.rec.host.auto_remove, done);
      };
      if (!store) return release();
      std::vector<storage::state_op> ops{storage::state_op::erase("container", self->state.rec.id)};
      self->request(store, std::chrono::seconds(30), commit_atom_v, std::move(ops))
          .await([release]() { release(); }, [release](caf::error&) { release(); });
    };
    if (!pool) return erase_record();
    run_blocking(
        self, pool, [paths]() -> caf::error { return remove_container_data(paths); },
        [erase_record, self](caf::error err) {
          if (err)
            lg.warn("container files were not all removed",
                    {{"id", self->state.rec.id}, {"error", error_message(err)}});
          erase_record();
        });
  });
}

} // namespace berth::actors
