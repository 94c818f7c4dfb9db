// Tests actors/events_actor: journal replay, filtering, live fan-out, unsubscribe on down.
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <gtest/gtest.h>

#include "actors/events_actor.hpp"
#include "metrics/engine_probe.hpp"
#include "metrics/registry.hpp"

using namespace berth;
using namespace berth::actors;

namespace {

event make_event(std::string type, std::string action, std::string id, int64_t t = 0) {
  event ev;
  ev.type = std::move(type);
  ev.action = std::move(action);
  ev.actor_id = std::move(id);
  ev.time_nanos = t;
  return ev;
}

class events_actor_test : public ::testing::Test {
 protected:
  caf::actor_system_config cfg_;
  caf::actor_system sys_{cfg_};
  metrics::registry reg_;
  std::shared_ptr<metrics::engine_probe> engine_ = std::make_shared<metrics::engine_probe>(reg_);
  events_actor events_ = spawn_events_actor(sys_, engine_, nullptr, 3);
};

std::vector<event> subscribe(caf::scoped_actor& self, const events_actor& ev, filter_args f,
                             int64_t since, int64_t until, caf::actor sub,
                             subscriber_kind kind = subscriber_kind::client) {
  std::vector<event> out;
  self->request(ev, std::chrono::seconds(5), caf::subscribe_atom_v, std::move(f), since, until, sub,
                kind)
      .receive([&](std::vector<event>& xs) { out = std::move(xs); },
               [&](caf::error& err) { ADD_FAILURE() << caf::to_string(err); });
  return out;
}

events_counts counts(caf::scoped_actor& self, const events_actor& ev) {
  events_counts out;
  self->request(ev, std::chrono::seconds(5), caf::get_atom_v, counts_atom_v)
      .receive([&](events_counts c) { out = c; },
               [&](caf::error& err) { ADD_FAILURE() << caf::to_string(err); });
  return out;
}

} // namespace

TEST_F(events_actor_test, replays_the_journal_with_filters_and_bounds) {
  caf::scoped_actor self{sys_};
  self->send(events_, caf::publish_atom_v, make_event("container", "create", "c1", 1000));
  self->send(events_, caf::publish_atom_v, make_event("image", "tag", "i1", 2000));
  self->send(events_, caf::publish_atom_v, make_event("container", "start", "c1", 3000));
  self->send(events_, caf::publish_atom_v, make_event("container", "die", "c1", 4000));
  // Capacity 3: the first event has been dropped.
  auto all = subscribe(self, events_, {}, 1, 1, caf::actor{});
  ASSERT_TRUE(all.empty());
  all = subscribe(self, events_, {}, 1, 5000, caf::actor{});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].action, "tag");
  EXPECT_LT(all[0].seq, all[1].seq);
  auto containers = *filter_args::parse(R"({"type":["container"]})");
  auto only = subscribe(self, events_, containers, 2500, 3500, caf::actor{});
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0].action, "start");
  EXPECT_EQ(counts(self, events_).published, 4u);
}

TEST_F(events_actor_test, streams_live_events_and_forgets_dead_subscribers) {
  caf::scoped_actor self{sys_};
  auto sink = sys_.spawn(
      [](caf::event_based_actor* me, caf::actor report) -> caf::behavior {
        return {[=](event_atom, const event& ev) { me->send(report, ev.action); }};
      },
      caf::actor{self});
  auto f = *filter_args::parse(R"({"event":["start"]})");
  auto backlog = subscribe(self, events_, f, 0, 0, sink);
  EXPECT_TRUE(backlog.empty());
  EXPECT_EQ(counts(self, events_).subscribers, 1u);
  self->send(events_, caf::publish_atom_v, make_event("container", "create", "c2"));
  self->send(events_, caf::publish_atom_v, make_event("container", "start", "c2"));
  self->receive([](const std::string& action) { EXPECT_EQ(action, "start"); },
                caf::after(std::chrono::seconds(5)) >> [] { ADD_FAILURE() << "no live event"; });
  self->send_exit(sink, caf::exit_reason::user_shutdown);
  // The down message reaches the events actor before a later request from us is answered? Not
  // guaranteed across senders, so poll the count with a bound.
  uint64_t subs = 1;
  for (int i = 0; i < 100 && subs != 0; ++i) {
    subs = counts(self, events_).subscribers;
    if (subs != 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(subs, 0u);
  EXPECT_EQ(engine_ != nullptr, true);
}

TEST_F(events_actor_test, internal_subscribers_get_events_but_are_not_listeners) {
  // docker info's NEventsListener counts API clients, as dockerd does, not the daemon's own
  // followers (the stats sampler).
  caf::scoped_actor self{sys_};
  auto sink = sys_.spawn(
      [](caf::event_based_actor* me, caf::actor report) -> caf::behavior {
        return {[=](event_atom, const event& ev) { me->send(report, ev.action); }};
      },
      caf::actor{self});
  (void)subscribe(self, events_, filter_args{}, 0, 0, sink, subscriber_kind::internal);
  EXPECT_EQ(counts(self, events_).subscribers, 0u);
  self->send(events_, caf::publish_atom_v, make_event("container", "start", "c3"));
  self->receive([](const std::string& action) { EXPECT_EQ(action, "start"); },
                caf::after(std::chrono::seconds(5)) >> [] { ADD_FAILURE() << "no event"; });
  self->send_exit(sink, caf::exit_reason::user_shutdown);
}
