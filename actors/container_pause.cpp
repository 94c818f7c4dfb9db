// The container actor's pause, unpause and update: runtime commands on the blocking pool, the
// new state persisted before the reply.
#include <caf/typed_event_based_actor.hpp>

#include "actors/blocking_pool.hpp"
#include "actors/container_actor_state.hpp"
#include "actors/container_runtime_ops.hpp"
#include "actors/directory.hpp"
#include "base/error.hpp"
#include "base/log.hpp"
#include "runtime/host_config_update.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"containers"};

} // namespace

void pause_container(container_pointer self, bool pause, caf::response_promise reply) {
  auto& st = self->state;
  const auto& id = st.rec.id;
  if (!st.rec.running() || st.stopping || st.removing)
    return reply.deliver(make_error(errc::conflict, "Container " + id + " is not running"));
  if (pause && st.rec.status == container_status::paused)
    return reply.deliver(make_error(errc::conflict, "Container " + id + " is already paused"));
  if (!pause && st.rec.status != container_status::paused)
    return reply.deliver(make_error(errc::conflict, "Container " + id + " is not paused"));
  set_paused(self, pause, [reply](caf::error err) mutable {
    if (err) return reply.deliver(err);
    reply.deliver(caf::unit);
  });
}

void set_paused(container_pointer self, bool pause, std::function<void(caf::error)> then) {
  auto& st = self->state;
  auto pool = blocking_pool_of(self);
  if (!pool) return then(make_error(errc::unavailable, "the blocking pool is not running"));
  auto argv = runtime_command_line(*st.ctx, st.rec, {pause ? "pause" : "resume"});
  // Awaited: no stop, kill or second pause sees the state between the command and the record.
  run_blocking_awaited(
      self, pool, [argv]() -> caf::error { return run_runtime_command(argv); },
      [self, pause, then](caf::error err) {
        auto& s = self->state;
        if (err) {
          if (!s.rec.running())
            return then(make_error(errc::conflict, "Container " + s.rec.id + " is not running"));
          return then(make_error(errc::system,
                                 (pause ? "Cannot pause container " : "Cannot unpause container ") +
                                     s.rec.id + ": " + error_message(err)));
        }
        s.rec.status = pause ? container_status::paused : container_status::running;
        pause_health_monitor(self, pause);
        persist(self, [self, pause, then](caf::error stored) {
          if (stored) return then(stored);
          publish_event(self, pause ? "pause" : "unpause");
          publish_summary(self);
          then({});
        });
      });
}

void resume_if_paused(container_pointer self, std::function<void()> then) {
  auto& st = self->state;
  auto pool = blocking_pool_of(self);
  if (st.rec.status != container_status::paused || !pool) return then();
  auto argv = runtime_command_line(*st.ctx, st.rec, {"resume"});
  run_blocking(
      self, pool, [argv]() -> caf::error { return run_runtime_command(argv); },
      [self, then](caf::error err) {
        auto& s = self->state;
        if (err) {
          lg.warn("could not resume a paused container",
                  {{"id", s.rec.id}, {"error", error_message(err)}});
          return then();
        }
        if (s.rec.status != container_status::paused) return then();
        s.rec.status = container_status::running;
        pause_health_monitor(self, false);
        persist(self, [self, then](caf::error) {
          publish_event(self, "unpause");
          publish_summary(self);
          then();
        });
      });
}

void update_container(container_pointer self, const container_update& update,
                      caf::typed_response_promise<std::vector<std::string>> reply) {
  auto& st = self->state;
  if (st.removing || st.rec.status == container_status::dead) {
    reply.deliver(
        make_error(errc::conflict, "Container is marked for removal and cannot be \"update\""));
    return;
  }
  auto host = runtime::apply_update(st.rec.host, st.rec.config, update.body,
                                    runtime::host_limits::current());
  if (!host) {
    reply.deliver(host.error());
    return;
  }
  auto commit = [self, reply](runtime::host_config h) mutable {
    auto old = self->state.rec.host;
    self->state.rec.host = std::move(h);
    persist(self, [self, reply, old](caf::error err) mutable {
      if (err) {
        self->state.rec.host = old;
        reply.deliver(err);
        return;
      }
      publish_event(self, "update");
      reply.deliver(std::vector<std::string>{});
    });
  };
  if (!st.rec.running()) return commit(std::move(*host));
  auto resources = runtime::update_resources(*host, st.ctx->host.swap_limit);
  if (!resources) {
    reply.deliver(resources.error());
    return;
  }
  auto pool = blocking_pool_of(self);
  if (!pool) {
    reply.deliver(make_error(errc::unavailable, "the blocking pool is not running"));
    return;
  }
  auto ctx = st.ctx;
  auto rec = st.rec;
  auto paths = st.paths;
  run_blocking_awaited(
      self, pool,
      [ctx, rec, paths, resources = *resources]() -> caf::error {
        return update_runtime_resources(*ctx, rec, paths, resources);
      },
      [self, reply, commit, h = *host](caf::error err) mutable {
        if (err) {
          reply.deliver(make_error(errc::system, "Cannot update container " + self->state.rec.id +
                                                     ": " + error_message(err)));
          return;
        }
        commit(std::move(h));
      });
}

} // namespace berth::actors
