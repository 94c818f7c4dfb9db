// The events actor: journal, fan-out to subscribers, counts.
#include "actors/events_actor.hpp"

#include <algorithm>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/event_filter.hpp"
#include "actors/event_journal.hpp"
#include "actors/instrumented.hpp"
#include "base/time.hpp"
#include "metrics/engine_probe.hpp"

namespace berth::actors {

namespace {

struct subscription {
  caf::actor subscriber;
  filter_args filters;
  int64_t until_nanos = 0;
  subscriber_kind kind = subscriber_kind::client;
};

struct events_state {
  events_state() : journal(default_event_journal_capacity) {}
  event_journal journal;
  std::vector<subscription> subscribers;
  uint64_t published = 0;
  std::shared_ptr<metrics::engine_probe> engine;
  static inline const char* name = "events";
};

using events_pointer = events_actor::stateful_pointer<events_state>;

uint64_t client_count(const events_state& st) {
  return static_cast<uint64_t>(
      std::count_if(st.subscribers.begin(), st.subscribers.end(),
                    [](const subscription& s) { return s.kind == subscriber_kind::client; }));
}

void drop_subscriber(events_pointer self, const caf::actor_addr& who) {
  auto& subs = self->state.subscribers;
  std::erase_if(subs, [&](const subscription& s) { return s.subscriber.address() == who; });
  if (self->state.engine) self->state.engine->set_subscribers(client_count(self->state));
}

events_actor::behavior_type events_impl(events_pointer self,
                                        std::shared_ptr<metrics::engine_probe> engine,
                                        std::shared_ptr<metrics::actor_probe> probe) {
  self->state.engine = std::move(engine);
  self->set_down_handler([self](const caf::down_msg& msg) { drop_subscriber(self, msg.source); });
  return {
      timed(self, probe,
            [self](caf::publish_atom, event& ev) {
              auto now = unix_nanos_now();
              const auto& stored = self->state.journal.append(std::move(ev), now);
              ++self->state.published;
              if (self->state.engine) self->state.engine->event_emitted();
              for (const auto& sub : self->state.subscribers) {
                if (sub.until_nanos > 0 && stored.time_nanos > sub.until_nanos) continue;
                if (event_matches(sub.filters, stored))
                  caf::anon_send(sub.subscriber, event_atom_v, stored);
              }
            }),
      timed(self, probe,
            [self](caf::subscribe_atom, filter_args& filters, int64_t since, int64_t until,
                   caf::actor& subscriber, subscriber_kind kind) -> std::vector<event> {
              std::vector<event> backlog;
              if (since > 0) backlog = self->state.journal.query(since, until, filters);
              if (until == 0 || until > unix_nanos_now()) {
                self->monitor(subscriber);
                self->state.subscribers.push_back({subscriber, std::move(filters), until, kind});
                if (self->state.engine)
                  self->state.engine->set_subscribers(client_count(self->state));
              }
              return backlog;
            }),
      timed(self, probe,
            [self](caf::unsubscribe_atom, caf::actor& subscriber) {
              self->demonitor(subscriber);
              drop_subscriber(self, subscriber.address());
            }),
      timed(self, probe,
            [self](caf::get_atom, counts_atom) {
              return events_counts{self->state.published, client_count(self->state)};
            }),
  };
}

} // namespace

events_actor spawn_events_actor(caf::actor_system& sys,
                                std::shared_ptr<metrics::engine_probe> engine,
                                std::shared_ptr<metrics::actor_probe> probe,
                                size_t journal_capacity) {
  // The state needs the capacity at construction; spawn with a lambda that forwards it.
  return sys.spawn([journal_capacity, engine = std::move(engine), probe = std::move(probe)](
                       events_pointer self) mutable -> events_actor::behavior_type {
    self->state.journal = event_journal{journal_capacity};
    return events_impl(self, std::move(engine), std::move(probe));
  });
}

} // namespace berth::actors
