// Tests actors/volume_record: the stored form round-trips, corrupt rows are refused, and the API
// rendering matches dockerd's GET /volumes/{name} and /system/df.
#include <gtest/gtest.h>

#include "actors/volume_record.hpp"
#include "base/error.hpp"

using namespace berth;
using namespace berth::actors;

namespace {

using json = nlohmann::json;

volume_record sample() {
  volume_record v;
  v.name = "data";
  v.driver = "local";
  v.labels = {{"team", "a"}, {"env", "prod"}};
  v.options = {{"type", "tmpfs"}, {"device", "tmpfs"}, {"o", "size=64m"}};
  v.created = 1'700'000'000'123'456'789;
  v.anonymous = true;
  v.users = {std::string(64, 'a'), std::string(64, 'b')};
  return v;
}

void expect_same(const volume_record& a, const volume_record& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.driver, b.driver);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.options, b.options);
  EXPECT_EQ(a.created, b.created);
  EXPECT_EQ(a.anonymous, b.anonymous);
  EXPECT_EQ(a.users, b.users);
}

} // namespace

TEST(volume_record, state_json_round_trip) {
  auto v = sample();
  auto back = volume_from_state_json(to_state_json(v));
  ASSERT_TRUE(back) << error_message(back.error());
  expect_same(*back, v);
}

TEST(volume_record, state_json_round_trip_of_a_plain_volume) {
  volume_record v;
  v.name = "plain";
  v.created = 1;
  auto back = volume_from_state_json(to_state_json(v));
  ASSERT_TRUE(back) << error_message(back.error());
  expect_same(*back, v);
  EXPECT_FALSE(back->anonymous);
  EXPECT_TRUE(back->users.empty());
  EXPECT_EQ(back->driver, "local");
}

TEST(volume_record, missing_fields_take_defaults) {
  auto v = volume_from_state_json(R"({"name":"old"})");
  ASSERT_TRUE(v) << error_message(v.error());
  EXPECT_EQ(v->name, "old");
  EXPECT_EQ(v->driver, "local");
  EXPECT_TRUE(v->labels.empty());
  EXPECT_TRUE(v->options.empty());
  EXPECT_EQ(v->created, 0);
  EXPECT_FALSE(v->anonymous);
  EXPECT_TRUE(v->users.empty());
}

TEST(volume_record, corrupt_rows_are_refused) {
  for (const std::string text :
       {"", "{not json", "[]", "\"data\"", "42", "{}", R"({"driver":"local"})", R"({"name":42})",
        R"({"name":"x","labels":"a=b"})", R"({"name":"x","labels":{"a":1}})",
        R"({"name":"x","users":"c1"})", R"({"name":"x","created":"yesterday"})",
        R"({"name":"x","anonymous":"yes"})", R"({"name":"x","options":[1]})"}) {
    auto v = volume_from_state_json(text);
    ASSERT_FALSE(v) << text;
    EXPECT_EQ(error_kind(v.error()), errc::internal) << text;
    EXPECT_NE(error_message(v.error()).find("corrupt volume record"), std::string::npos) << text;
  }
}

TEST(volume_record, api_json_of_a_plain_volume) {
  volume_record v;
  v.name = "data";
  v.created = 1'700'000'000'987'654'321;
  auto j = volume_json(v, "/var/lib/berth/volumes/data/_data");
  EXPECT_EQ(j, (json{{"CreatedAt", "2023-11-14T22:13:20Z"},
                     {"Driver", "local"},
                     {"Labels", nullptr},
                     {"Mountpoint", "/var/lib/berth/volumes/data/_data"},
                     {"Name", "data"},
                     {"Options", nullptr},
                     {"Scope", "local"}}));
  EXPECT_FALSE(j.contains("UsageData"));
}

TEST(volume_record, created_at_is_rfc3339_seconds_in_utc) {
  volume_record v;
  v.name = "t";
  v.created = 0;
  EXPECT_EQ(volume_json(v, "/m")["CreatedAt"], "1970-01-01T00:00:00Z");
  v.created = 1'234'567'890'999'999'999; // fractions are dropped, never rounded up
  EXPECT_EQ(volume_json(v, "/m")["CreatedAt"], "2009-02-13T23:31:30Z");
}

TEST(volume_record, api_json_labels_and_options) {
  volume_record v;
  v.name = "data";
  v.labels = {{"team", "a"}};
  v.options = {{"type", "tmpfs"}, {"device", "tmpfs"}};
  auto j = volume_json(v, "/m");
  EXPECT_EQ(j["Labels"], (json{{"team", "a"}}));
  EXPECT_EQ(j["Options"], (json{{"type", "tmpfs"}, {"device", "tmpfs"}}));
}

TEST(volume_record, anonymous_volumes_carry_dockerd_label) {
  volume_record v;
  v.name = std::string(64, 'f');
  v.anonymous = true;
  auto j = volume_json(v, "/m");
  EXPECT_EQ(j["Labels"], (json{{"com.docker.volume.anonymous", ""}}));
  v.labels = {{"team", "a"}};
  j = volume_json(v, "/m");
  EXPECT_EQ(j["Labels"], (json{{"com.docker.volume.anonymous", ""}, {"team", "a"}}));
}

TEST(volume_record, usage_data_only_with_a_size) {
  auto v = sample();
  EXPECT_FALSE(volume_json(v, "/m").contains("UsageData"));
  EXPECT_FALSE(volume_json(v, "/m", -1).contains("UsageData"));
  auto j = volume_json(v, "/m", 4096);
  ASSERT_TRUE(j.contains("UsageData"));
  EXPECT_EQ(j["UsageData"], (json{{"Size", 4096}, {"RefCount", 2}}));
  v.users.clear();
  j = volume_json(v, "/m", 0);
  EXPECT_EQ(j["UsageData"], (json{{"Size", 0}, {"RefCount", 0}}));
}
