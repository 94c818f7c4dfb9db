// The root supervisor.
#include "actors/root_supervisor.hpp"

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/blocking_pool.hpp"
#include "actors/containers_manager.hpp"
#include "actors/directory.hpp"
#include "actors/events_actor.hpp"
#include "actors/images_manager.hpp"
#include "actors/networks_manager.hpp"
#include "actors/state_store_actor.hpp"
#include "actors/stats_sampler.hpp"
#include "actors/volumes_manager.hpp"
#include "base/log.hpp"
#include "base/time.hpp"
#include "metrics/daemon_probes.hpp"
#include "metrics/metrics_actor.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"supervisor"};

struct child {
  std::string name;
  caf::atom_value key;
  std::function<caf::strong_actor_ptr()> spawn;
  caf::strong_actor_ptr handle;
  std::deque<int64_t> restarts; ///< monotonic times of recent restarts
};

struct supervisor_state {
  std::vector<child> children;
  restart_budget budget;
  bool stopping = false;
  std::shared_ptr<metrics::daemon_probes> probes;
  static inline const char* name = "root_supervisor";
};

using supervisor_pointer = caf::stateful_actor<supervisor_state>*;

void start_child(supervisor_pointer self, child& c) {
  c.handle = c.spawn();
  self->monitor(c.handle);
  self->system().registry().put(c.key, c.handle);
}

std::vector<child> make_children(caf::actor_system& sys, std::shared_ptr<const daemon_context> ctx,
                                 std::shared_ptr<storage::state_store> store) {
  auto probes = ctx->probes;
  auto as_ptr = [](auto handle) { return caf::actor_cast<caf::strong_actor_ptr>(handle); };
  std::vector<child> out;
  auto add = [&](std::string name, caf::atom_value key, std::function<caf::strong_actor_ptr()> fn) {
    out.push_back({std::move(name), key, std::move(fn), nullptr, {}});
  };
  // Order matters: later children may look up earlier ones when they start.
  add("state", directory::state, [&sys, store, probes, as_ptr] {
    return as_ptr(spawn_state_store_actor(sys, store, probes->actor("state")));
  });
  add("blocking", directory::blocking, [&sys, probes, as_ptr] {
    return as_ptr(spawn_blocking_pool(sys, blocking_pool_limits{}, &probes->registry()));
  });
  add("events", directory::events, [&sys, probes, as_ptr] {
    return as_ptr(spawn_events_actor(sys, probes->engine(), probes->actor("events")));
  });
  add("metrics", directory::metrics,
      [&sys, probes, as_ptr] { return as_ptr(metrics::spawn_metrics_actor(sys, probes)); });
  add("images", directory::images,
      [&sys, ctx, as_ptr] { return as_ptr(spawn_images_manager(sys, ctx)); });
  add("volumes", directory::volumes,
      [&sys, ctx, as_ptr] { return as_ptr(spawn_volumes_manager(sys, ctx)); });
  add("networks", directory::networks,
      [&sys, ctx, as_ptr] { return as_ptr(spawn_networks_manager(sys, ctx)); });
  add("containers", directory::containers,
      [&sys, ctx, as_ptr] { return as_ptr(spawn_containers_manager(sys, ctx)); });
  add("stats", directory::stats,
      [&sys, ctx, as_ptr] { return as_ptr(spawn_stats_sampler(sys, ctx)); });
  return out;
}

// Restarts `c` unless it exceeded its budget; returns false when the supervisor must give up.
bool restart_child(supervisor_pointer self, child& c, const caf::error& reason) {
  auto now = monotonic_nanos();
  auto& budget = self->state.budget;
  while (!c.restarts.empty() && now - c.restarts.front() > budget.window_nanos)
    c.restarts.pop_front();
  if (static_cast<int>(c.restarts.size()) >= budget.max_restarts) {
    lg.error("actor keeps failing, giving up", {{"actor", c.name},
                                                {"restarts", static_cast<int>(c.restarts.size())},
                                                {"reason", caf::to_string(reason)}});
    return false;
  }
  c.restarts.push_back(now);
  lg.warn("actor failed, restarting", {{"actor", c.name}, {"reason", caf::to_string(reason)}});
  if (self->state.probes) self->state.probes->actor(c.name)->restarted();
  start_child(self, c);
  return true;
}

void stop_children(supervisor_pointer self) {
  auto& children = self->state.children;
  for (auto i = children.rbegin(); i != children.rend(); ++i) {
    if (!i->handle) continue;
    self->system().registry().erase(i->key);
    self->demonitor(i->handle->address());
    self->send_exit(caf::actor_cast<caf::actor>(i->handle), caf::exit_reason::user_shutdown);
    i->handle = nullptr;
  }
}

caf::behavior supervisor_impl(supervisor_pointer self, std::shared_ptr<const daemon_context> ctx,
                              std::shared_ptr<storage::state_store> store, restart_budget budget) {
  self->state.budget = budget;
  self->state.probes = ctx->probes;
  self->state.children = make_children(self->system(), ctx, std::move(store));
  for (auto& c : self->state.children)
    start_child(self, c);
  self->set_down_handler([self](const caf::down_msg& msg) {
    if (self->state.stopping) return;
    for (auto& c : self->state.children) {
      if (c.handle && c.handle->address() == msg.source) {
        self->system().registry().erase(c.key);
        c.handle = nullptr;
        if (!restart_child(self, c, msg.reason)) {
          self->state.stopping = true;
          stop_children(self);
          self->quit(make_error(errc::internal, "actor " + c.name + " keeps failing"));
        }
        return;
      }
    }
  });
  self->set_exit_handler([self](const caf::exit_msg& msg) {
    self->state.stopping = true;
    stop_children(self);
    self->quit(msg.reason);
  });
  return {
      // Start-up is over when the containers are restored (dockerd serves its API only after
      // restarting the containers that should run): the daemon waits for this before READY=1.
      [self](caf::get_atom, ready_atom) {
        auto rp = self->make_response_promise();
        caf::actor containers;
        for (auto& c : self->state.children)
          if (c.key == directory::containers && c.handle)
            containers = caf::actor_cast<caf::actor>(c.handle);
        if (!containers) {
          rp.deliver(caf::unit);
          return rp;
        }
        self->request(containers, caf::infinite, caf::get_atom_v, ready_atom_v)
            .then([rp]() mutable { rp.deliver(caf::unit); },
                  [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [self](stop_atom) {
        self->state.stopping = true;
        stop_children(self);
        self->quit();
      },
  };
}

} // namespace

caf::actor spawn_root_supervisor(caf::actor_system& sys, std::shared_ptr<const daemon_context> ctx,
                                 std::shared_ptr<storage::state_store> store,
                                 restart_budget budget) {
  return sys.spawn(supervisor_impl, std::move(ctx), std::move(store), budget);
}

} // namespace berth::actors
