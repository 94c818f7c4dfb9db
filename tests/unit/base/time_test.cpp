// Tests base/time: RFC 3339 formatting and Docker's timestamp parsing.
#include <gtest/gtest.h>

#include "base/time.hpp"

using namespace berth;

TEST(time, formats_like_go_rfc3339nano) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(1'700'000'000'123'000'000), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(format_rfc3339(1'700'000'000'123'456'789), "2023-11-14T22:13:20.123456789Z");
  EXPECT_EQ(format_rfc3339(1'700'000'000'000'000'000, 6), "2023-11-14T22:13:20.000000Z");
}

TEST(time, reports_an_unset_time_as_dockers_zero_time) {
  EXPECT_EQ(format_rfc3339_or_zero(0), "0001-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339_or_zero(1'700'000'000'123'000'000), "2023-11-14T22:13:20.123Z");
}

TEST(time, parses_rfc3339_with_offsets) {
  EXPECT_EQ(parse_rfc3339("2023-11-14T22:13:20Z"), 1'700'000'000'000'000'000);
  EXPECT_EQ(parse_rfc3339("2023-11-14T22:13:20.5Z"), 1'700'000'000'500'000'000);
  EXPECT_EQ(parse_rfc3339("2023-11-15T00:13:20+02:00"), 1'700'000'000'000'000'000);
  EXPECT_FALSE(parse_rfc3339("2023-11-14 22:13:20"));
  EXPECT_FALSE(parse_rfc3339("2023-13-14T22:13:20Z"));
  EXPECT_FALSE(parse_rfc3339("2023-11-14T22:13:20Zjunk"));
}

TEST(time, round_trips) {
  for (int64_t t : {int64_t{0}, int64_t{1}, int64_t{951'782'400'000'000'001}, unix_nanos_now()})
    EXPECT_EQ(parse_rfc3339(format_rfc3339(t)), t);
}

TEST(time, parses_api_timestamps) {
  EXPECT_EQ(parse_api_timestamp("1700000000"), 1'700'000'000'000'000'000);
  EXPECT_EQ(parse_api_timestamp("1700000000.25"), 1'700'000'000'250'000'000);
  EXPECT_EQ(parse_api_timestamp("1700000000.000000001"), 1'700'000'000'000'000'001);
  EXPECT_EQ(parse_api_timestamp("2023-11-14T22:13:20Z"), 1'700'000'000'000'000'000);
  EXPECT_FALSE(parse_api_timestamp(""));
  EXPECT_FALSE(parse_api_timestamp("abc"));
  EXPECT_FALSE(parse_api_timestamp("12.x"));
  EXPECT_FALSE(parse_api_timestamp("1.0000000001"));
}

TEST(time, filter_times_take_durations_before_now_like_GetTimestamp) {
  constexpr int64_t now = 1'700'000'000'000'000'000;
  EXPECT_EQ(parse_filter_time("24h", now), now - 86'400'000'000'000);
  EXPECT_EQ(parse_filter_time("90m", now), now - 5'400'000'000'000);
  EXPECT_EQ(parse_filter_time("0", now), 0);
  EXPECT_EQ(parse_filter_time("1700000000", now), now);
  EXPECT_EQ(parse_filter_time("2023-11-14T22:13:20Z", now), now);
  EXPECT_FALSE(parse_filter_time("yesterday", now));
}
