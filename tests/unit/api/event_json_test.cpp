// Tests api/docker_json/event_json: the /events shape, with legacy fields where moby adds them.
#include <gtest/gtest.h>

#include "api/docker_json/event_json.hpp"

using namespace berth;
using namespace berth::api;

TEST(event_json, container_events_carry_legacy_fields) {
  actors::event ev;
  ev.type = "container";
  ev.action = "start";
  ev.actor_id = "abc";
  ev.attributes = {{"image", "busybox"}, {"name", "web"}};
  ev.time_nanos = 1'700'000'000'123'456'789;
  auto j = event_to_json(ev, {1, 50});
  EXPECT_EQ(j["status"], "start");
  EXPECT_EQ(j["id"], "abc");
  EXPECT_EQ(j["from"], "busybox");
  EXPECT_EQ(j["Type"], "container");
  EXPECT_EQ(j["Action"], "start");
  EXPECT_EQ(j["Actor"]["ID"], "abc");
  EXPECT_EQ(j["Actor"]["Attributes"]["name"], "web");
  EXPECT_EQ(j["scope"], "local");
  EXPECT_EQ(j["time"], 1'700'000'000);
  EXPECT_EQ(j["timeNano"], 1'700'000'000'123'456'789);
}

TEST(event_json, other_types_have_no_legacy_fields) {
  actors::event ev;
  ev.type = "daemon";
  ev.action = "reload";
  auto j = event_to_json(ev, {1, 50});
  EXPECT_FALSE(j.contains("status"));
  EXPECT_FALSE(j.contains("id"));
}
