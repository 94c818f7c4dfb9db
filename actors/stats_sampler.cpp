// The stats sampler: which containers run, one sampling round per interval on the blocking pool,
// the last two samples of each, the subscribers of docker stats streams, and the metrics.
#include "actors/stats_sampler.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/blocking_pool.hpp"
#include "actors/containers_manager.hpp"
#include "actors/directory.hpp"
#include "actors/events_actor.hpp"
#include "actors/instrumented.hpp"
#include "base/error.hpp"
#include "base/log.hpp"
#include "base/time.hpp"
#include "metrics/daemon_probes.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"stats"};

constexpr uint8_t round_timer = 0;
constexpr uint8_t reconnect_timer = 1;

/// How long a `get` waits for the samples it needs before it gives up.
constexpr int64_t get_deadline_nanos = 10'000'000'000;
/// Asks to other actors (events, containers manager, a container).
constexpr auto ask_timeout = std::chrono::seconds(10);

struct tracked_container {
  stats_target target;
  std::deque<container_sample> samples; ///< oldest first, at most two
  std::vector<caf::actor> subscribers;
};

struct sample_waiter {
  std::string id;
  size_t samples = 1;
  int64_t deadline = 0; ///< monotonic ns
  caf::typed_response_promise<stats_window> promise;
};

/// One container's outcome of a sampling round.
struct round_result {
  std::string id;
  int64_t started_at = 0;
  caf::expected<container_sample> sample{make_error(errc::internal, "not sampled")};
};

struct sampler_state {
  std::shared_ptr<const daemon_context> ctx;
  std::chrono::milliseconds interval{1000};
  std::map<std::string, tracked_container> containers; ///< by ID: the running ones
  std::vector<sample_waiter> waiters;
  bool sampling = false;  ///< a round is on the blocking pool
  bool round_due = false; ///< a round timer is set
  caf::actor_addr events; ///< the events actor we are subscribed to
  static inline const char* name = "stats_sampler";
};

using sampler_pointer = stats_sampler_actor::stateful_pointer<sampler_state>;

caf::error not_running(const std::string& id) {
  return make_error(errc::conflict, "container " + id + " is not running");
}

stats_window window_of(const tracked_container& c) {
  stats_window w;
  w.latest = c.samples.back();
  if (c.samples.size() > 1) w.previous = c.samples.front();
  return w;
}

// -- metrics --------------------------------------------------------------------------------

metrics::container_figures figures_of(const tracked_container& c) {
  const auto& s = c.samples.back();
  metrics::container_figures f;
  f.id = c.target.id;
  f.name = c.target.name;
  f.cpu_seconds = static_cast<double>(s.cgroup.cpu.total_ns) / 1e9;
  if (s.cgroup.memory) f.memory_usage_bytes = s.cgroup.memory->usage;
  if (s.cgroup.pids) f.pids = s.cgroup.pids->current;
  if (s.networks)
    for (const auto& i : *s.networks) {
      f.network_receive_bytes += i.counters.rx_bytes;
      f.network_transmit_bytes += i.counters.tx_bytes;
    }
  return f;
}

void publish_metrics(sampler_pointer self) {
  std::vector<metrics::container_figures> figures;
  for (const auto& [id, c] : self->state.containers)
    if (!c.samples.empty()) figures.push_back(figures_of(c));
  self->state.ctx->probes->container_stats()->replace(std::move(figures));
}

// -- the set of running containers ------------------------------------------------------------

void schedule_round(sampler_pointer self, std::chrono::milliseconds delay);

// Answers the waiters that have their samples, fails those of gone containers or past their
// deadline.
void settle_waiters(sampler_pointer self) {
  auto now = monotonic_nanos();
  auto& st = self->state;
  std::erase_if(st.waiters, [&](sample_waiter& w) {
    auto c = st.containers.find(w.id);
    if (c == st.containers.end()) {
      w.promise.deliver(not_running(w.id));
      return true;
    }
    if (c->second.samples.size() >= w.samples) {
      w.promise.deliver(window_of(c->second));
      return true;
    }
    if (now >= w.deadline) {
      w.promise.deliver(make_error(errc::timeout, "no stats sample of " + w.id + " in time"));
      return true;
    }
    return false;
  });
}

// Starts (or updates) sampling a running container.
void track(sampler_pointer self, stats_target target) {
  auto& st = self->state;
  auto [it, fresh] = st.containers.try_emplace(target.id);
  auto& c = it->second;
  if (!fresh && c.target.started_at > target.started_at) return; // we know a newer start
  // A restart is a new process in a new cgroup: its counters start again.
  if (!fresh && c.target.started_at != target.started_at) c.samples.clear();
  c.target = std::move(target);
  if (fresh && !st.round_due && !st.sampling) schedule_round(self, std::chrono::milliseconds(0));
}

// Stops sampling a container: its streams end, its waiters fail, its series go.
void untrack(sampler_pointer self, const std::string& id) {
  auto& st = self->state;
  auto it = st.containers.find(id);
  if (it == st.containers.end()) return;
  for (const auto& sub : it->second.subscribers) {
    self->demonitor(sub);
    caf::anon_send(sub, removed_atom_v, id);
  }
  st.containers.erase(it);
  settle_waiters(self);
  publish_metrics(self);
}

// A container that no longer exists is no longer sampled; other failures (a busy manager) change
// nothing.
void forget_if_gone(sampler_pointer self, const std::string& id, const caf::error& err) {
  if (error_kind(err) == errc::not_found) untrack(self, id);
}

// Learns the state of one container from its own actor (the authority on its pid and start).
void refresh(sampler_pointer self, const std::string& id) {
  auto manager = directory::lookup<containers_manager_actor>(self->system(), directory::containers);
  if (!manager) return;
  self->request(manager, ask_timeout, resolve_atom_v, id)
      .then(
          [self, id](resolved_container& found) {
            self->request(found.actor, ask_timeout, inspect_atom_v)
                .then(
                    [self](container_record& rec) {
                      if (rec.running())
                        track(self, stats_target_of(rec, self->state.ctx->config));
                      else
                        untrack(self, rec.id);
                    },
                    [self, id](caf::error& err) { forget_if_gone(self, id, err); });
          },
          [self, id](caf::error& err) { forget_if_gone(self, id, err); });
}

// Brings the set in line with the containers manager's list (after (re)connecting to events,
// which may have been missed meanwhile).
void resync(sampler_pointer self) {
  auto manager = directory::lookup<containers_manager_actor>(self->system(), directory::containers);
  if (!manager) return;
  self->request(manager, ask_timeout, list_atom_v, container_list_query{})
      .then(
          [self](std::vector<container_summary>& running) {
            std::map<std::string, int64_t> listed;
            for (const auto& s : running)
              if (s.status == container_status::running || s.status == container_status::paused)
                listed[s.id] = s.started_at;
            std::vector<std::string> gone;
            for (const auto& [id, c] : self->state.containers)
              if (!listed.count(id)) gone.push_back(id);
            for (const auto& id : gone)
              untrack(self, id);
            for (const auto& [id, started_at] : listed) {
              auto c = self->state.containers.find(id);
              if (c == self->state.containers.end() || c->second.target.started_at != started_at)
                refresh(self, id);
            }
          },
          [](caf::error& err) {
            lg.warn("cannot list the running containers", {{"error", error_message(err)}});
          });
}

void on_event(sampler_pointer self, const event& ev) {
  if (ev.type != "container") return;
  const auto& a = ev.action;
  if (a == "start" || a == "restart" || a == "unpause") return refresh(self, ev.actor_id);
  if (a == "die" || a == "destroy") return untrack(self, ev.actor_id);
  if (a == "rename") {
    auto c = self->state.containers.find(ev.actor_id);
    auto name = ev.attributes.find("name");
    if (c != self->state.containers.end() && name != ev.attributes.end())
      c->second.target.name = name->second;
  }
}

void connect_to_events(sampler_pointer self) {
  auto events = directory::lookup<events_actor>(self->system(), directory::events);
  if (!events) {
    self->delayed_send(self, std::chrono::seconds(1), timer_atom_v, reconnect_timer);
    return;
  }
  filter_args filters;
  filters.add("type", "container");
  self->request(events, ask_timeout, caf::subscribe_atom_v, std::move(filters), int64_t{0},
                int64_t{0}, caf::actor_cast<caf::actor>(self), subscriber_kind::internal)
      .then(
          [self, events](std::vector<event>&) {
            self->state.events = events.address();
            self->monitor(events);
            resync(self);
          },
          [self](caf::error&) {
            self->delayed_send(self, std::chrono::seconds(1), timer_atom_v, reconnect_timer);
          });
}

// -- sampling rounds --------------------------------------------------------------------------

void schedule_round(sampler_pointer self, std::chrono::milliseconds delay) {
  self->state.round_due = true;
  self->delayed_send(self, delay, timer_atom_v, round_timer);
}

void finish_round(sampler_pointer self, std::vector<round_result>& results, int64_t began) {
  auto& st = self->state;
  for (auto& r : results) {
    auto c = st.containers.find(r.id);
    if (c == st.containers.end() || c->second.target.started_at != r.started_at) continue;
    if (!r.sample) {
      // The cgroup or the process is gone: the container ended (its die event may be late).
      if (error_kind(r.sample.error()) == errc::not_found) {
        untrack(self, r.id);
      } else {
        lg.debug("cannot sample a container",
                 {{"id", r.id}, {"error", error_message(r.sample.error())}});
      }
      continue;
    }
    auto& samples = c->second.samples;
    samples.push_back(std::move(*r.sample));
    while (samples.size() > 2)
      samples.pop_front();
    for (const auto& sub : c->second.subscribers)
      caf::anon_send(sub, stats_atom_v, samples.back());
  }
  settle_waiters(self);
  publish_metrics(self);
  if (st.containers.empty()) return; // idle until a container starts
  auto spent = std::chrono::nanoseconds(monotonic_nanos() - began);
  auto rest = std::chrono::duration_cast<std::chrono::milliseconds>(st.interval - spent);
  schedule_round(self, std::max(rest, std::chrono::milliseconds(0)));
}

void run_round(sampler_pointer self) {
  auto& st = self->state;
  st.round_due = false;
  if (st.sampling || st.containers.empty()) return;
  auto pool = blocking_pool_of(self);
  if (!pool) return schedule_round(self, st.interval);
  std::vector<stats_target> targets;
  for (const auto& [id, c] : st.containers)
    targets.push_back(c.target);
  bool cgroup_v2 = st.ctx->host.cgroup_version == "2";
  auto machine_memory = static_cast<uint64_t>(std::max<int64_t>(st.ctx->host.mem_total, 0));
  st.sampling = true;
  auto began = monotonic_nanos();
  run_blocking(
      self, pool,
      [targets = std::move(targets), cgroup_v2,
       machine_memory]() -> caf::expected<std::vector<round_result>> {
        std::vector<round_result> out;
        out.reserve(targets.size());
        for (const auto& t : targets)
          out.push_back({t.id, t.started_at, read_container_sample(t, cgroup_v2, machine_memory)});
        return out;
      },
      [self, began](caf::expected<std::vector<round_result>> results) {
        self->state.sampling = false;
        if (!results) {
          lg.warn("a stats round failed", {{"error", error_message(results.error())}});
          std::vector<round_result> none;
          return finish_round(self, none, began);
        }
        finish_round(self, *results, began);
      });
}

// -- requests -----------------------------------------------------------------------------------

caf::result<stats_window> get_samples(sampler_pointer self, const container_record& rec,
                                      int samples) {
  if (!rec.running()) return not_running(rec.id);
  track(self, stats_target_of(rec, self->state.ctx->config));
  auto& c = self->state.containers.at(rec.id);
  auto needed = static_cast<size_t>(std::clamp(samples, 1, 2));
  if (c.samples.size() >= needed) return window_of(c);
  auto rp = self->make_response_promise<stats_window>();
  self->state.waiters.push_back({rec.id, needed, monotonic_nanos() + get_deadline_nanos, rp});
  return rp;
}

caf::result<std::optional<container_sample>>
subscribe(sampler_pointer self, const container_record& rec, const caf::actor& subscriber) {
  if (!rec.running()) return not_running(rec.id);
  track(self, stats_target_of(rec, self->state.ctx->config));
  auto& c = self->state.containers.at(rec.id);
  self->monitor(subscriber);
  c.subscribers.push_back(subscriber);
  if (c.samples.empty()) return std::optional<container_sample>{};
  return std::optional<container_sample>{c.samples.back()};
}

void unsubscribe(sampler_pointer self, const caf::actor_addr& who) {
  for (auto& [id, c] : self->state.containers)
    std::erase_if(c.subscribers, [&](const caf::actor& s) { return s.address() == who; });
}

stats_sampler_actor::behavior_type sampler_impl(sampler_pointer self,
                                                std::shared_ptr<const daemon_context> ctx,
                                                std::chrono::milliseconds interval) {
  self->state.ctx = ctx;
  self->state.interval = interval;
  auto probe = ctx->probes->actor("stats");
  self->set_down_handler([self](const caf::down_msg& msg) {
    if (msg.source == self->state.events) {
      // The events actor restarted: subscribe again, and resync what we missed meanwhile.
      self->state.events = caf::actor_addr{};
      self->delayed_send(self, std::chrono::milliseconds(200), timer_atom_v, reconnect_timer);
      return;
    }
    unsubscribe(self, msg.source);
  });
  connect_to_events(self);
  return {
      timed(self, probe,
            [self](caf::get_atom, stats_atom, const container_record& rec, int samples) {
              return get_samples(self, rec, samples);
            }),
      timed(self, probe,
            [self](caf::subscribe_atom, stats_atom, const container_record& rec,
                   const caf::actor& subscriber) { return subscribe(self, rec, subscriber); }),
      timed(self, probe,
            [self](caf::unsubscribe_atom, stats_atom, const caf::actor& subscriber) {
              self->demonitor(subscriber);
              unsubscribe(self, subscriber.address());
            }),
      timed(self, probe, [self](event_atom, const event& ev) { on_event(self, ev); }),
      timed(self, probe,
            [self](timer_atom, uint8_t kind) {
              if (kind == round_timer) return run_round(self);
              if (kind == reconnect_timer) connect_to_events(self);
            }),
  };
}

} // namespace

stats_sampler_actor spawn_stats_sampler(caf::actor_system& sys,
                                        std::shared_ptr<const daemon_context> ctx,
                                        std::chrono::milliseconds interval) {
  return sys.spawn(sampler_impl, std::move(ctx), interval);
}

} // namespace berth::actors
