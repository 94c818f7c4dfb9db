// Tests actors/event_journal and actors/event_filter: sequence, bounds, time order, moby's rules.
#include <gtest/gtest.h>

#include "actors/event_filter.hpp"
#include "actors/event_journal.hpp"

using namespace berth;
using namespace berth::actors;

namespace {

event make(std::string type, std::string action, std::string id,
           std::map<std::string, std::string> attrs = {}) {
  event ev;
  ev.type = std::move(type);
  ev.action = std::move(action);
  ev.actor_id = std::move(id);
  ev.attributes = std::move(attrs);
  return ev;
}

filter_args filters(const char* json) {
  return *filter_args::parse(json);
}

} // namespace

TEST(event_journal, stamps_sequence_and_time_and_drops_the_oldest) {
  event_journal j{2};
  auto a = j.append(make("container", "create", "a"), 100);
  auto b = j.append(make("container", "start", "a"), 50); // clock went backwards
  EXPECT_EQ(a.seq, 1u);
  EXPECT_EQ(b.seq, 2u);
  EXPECT_EQ(b.time_nanos, 100); // never earlier than the previous event
  j.append(make("container", "die", "a"), 300);
  EXPECT_EQ(j.size(), 2u);
  EXPECT_EQ(j.last_seq(), 3u);
  auto all = j.query(1, 0, {});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all.front().action, "start");
}

TEST(event_journal, query_bounds_are_inclusive) {
  event_journal j{10};
  j.append(make("image", "tag", "i"), 100);
  j.append(make("image", "untag", "i"), 200);
  j.append(make("image", "delete", "i"), 300);
  auto mid = j.query(200, 200, {});
  ASSERT_EQ(mid.size(), 1u);
  EXPECT_EQ(mid[0].action, "untag");
  EXPECT_EQ(j.query(301, 0, {}).size(), 0u);
}

TEST(event_filter, container_filter_matches_id_prefix_or_name) {
  auto ev = make("container", "start", "abcdef", {{"name", "web"}, {"image", "busybox:latest"}});
  EXPECT_TRUE(event_matches(filters(R"({"container":["abc"]})"), ev));
  EXPECT_TRUE(event_matches(filters(R"({"container":["web"]})"), ev));
  EXPECT_FALSE(event_matches(filters(R"({"container":["zzz"]})"), ev));
}

TEST(event_filter, image_filter_ignores_tags_and_event_uses_prefix_for_exec) {
  auto ev = make("container", "exec_create: sh -c true", "c1", {{"image", "busybox:latest"}});
  EXPECT_TRUE(event_matches(filters(R"({"image":["busybox"]})"), ev));
  EXPECT_TRUE(event_matches(filters(R"({"event":["exec_create"]})"), ev));
  EXPECT_FALSE(event_matches(filters(R"({"event":["start"]})"), ev));
}

TEST(event_filter, labels_type_and_scope_combine_with_and) {
  auto ev = make("network", "connect", "n1", {{"name", "app"}, {"tier", "front"}});
  EXPECT_TRUE(event_matches(filters(R"({"type":["network"],"label":["tier=front"]})"), ev));
  EXPECT_FALSE(event_matches(filters(R"({"type":["network"],"label":["tier=back"]})"), ev));
  EXPECT_TRUE(event_matches(filters(R"({"scope":["local"]})"), ev));
  EXPECT_FALSE(event_matches(filters(R"({"scope":["swarm"]})"), ev));
  EXPECT_TRUE(event_matches(filters(R"({"network":["app"]})"), ev));
  EXPECT_FALSE(validate_event_filters(filters(R"({"type":["network"]})")));
  EXPECT_TRUE(validate_event_filters(filters(R"({"colour":["red"]})")));
}
