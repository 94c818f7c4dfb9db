// Tests base/go_duration: Go's time.ParseDuration and Duration.String().
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/go_duration.hpp"

using namespace berth;
using berth::format_go_duration;

TEST(go_duration, formats_like_Duration_String) {
  EXPECT_EQ(format_go_duration(0), "0s");
  EXPECT_EQ(format_go_duration(15), "15ns");
  EXPECT_EQ(format_go_duration(1'500), "1.5\xC2\xB5s");
  EXPECT_EQ(format_go_duration(100'000), "100\xC2\xB5s");
  EXPECT_EQ(format_go_duration(1'000'000), "1ms");
  EXPECT_EQ(format_go_duration(1'200'000), "1.2ms");
  EXPECT_EQ(format_go_duration(300'000'000), "300ms");
  EXPECT_EQ(format_go_duration(1'000'000'000), "1s");
  EXPECT_EQ(format_go_duration(1'500'000'000), "1.5s");
  EXPECT_EQ(format_go_duration(30'000'000'000), "30s");
  EXPECT_EQ(format_go_duration(120'000'000'000), "2m0s");
  EXPECT_EQ(format_go_duration(90'500'000'000), "1m30.5s");
  EXPECT_EQ(format_go_duration(3'600'000'000'000), "1h0m0s");
  EXPECT_EQ(format_go_duration(3'723'000'000'001), "1h2m3.000000001s");
  EXPECT_EQ(format_go_duration(-1'000'000'000), "-1s");
}

TEST(go_duration, parses_like_time_ParseDuration) {
  using berth::parse_go_duration;
  EXPECT_EQ(*parse_go_duration("0"), 0);
  EXPECT_EQ(*parse_go_duration("1h2m3s"), 3'723'000'000'000);
  EXPECT_EQ(*parse_go_duration("1.5h"), 5'400'000'000'000);
  EXPECT_EQ(*parse_go_duration(".5s"), 500'000'000);
  EXPECT_EQ(*parse_go_duration("-2ms"), -2'000'000);
  EXPECT_EQ(*parse_go_duration("+3us"), 3'000);
  EXPECT_EQ(*parse_go_duration("3\xC2\xB5s"), 3'000);
  EXPECT_EQ(*parse_go_duration("9223372036854775807ns"), INT64_MAX);
  EXPECT_EQ(*parse_go_duration("-9223372036854775808ns"), INT64_MIN);
  EXPECT_EQ(error_message(parse_go_duration("9223372036854775808ns").error()),
            "time: invalid duration \"9223372036854775808ns\"");
  EXPECT_EQ(error_message(parse_go_duration("").error()), "time: invalid duration \"\"");
  EXPECT_EQ(error_message(parse_go_duration(".s").error()), "time: invalid duration \".s\"");
  EXPECT_EQ(error_message(parse_go_duration("1").error()), "time: missing unit in duration \"1\"");
  EXPECT_EQ(error_message(parse_go_duration("1y").error()),
            "time: unknown unit \"y\" in duration \"1y\"");
  EXPECT_EQ(format_go_duration(0), "0s");
  EXPECT_EQ(format_go_duration(3'723'500'000'000), "1h2m3.5s");
  EXPECT_EQ(format_go_duration(1'500'000), "1.5ms");
  EXPECT_EQ(format_go_duration(-30'000'000'000), "-30s");
  EXPECT_EQ(format_go_duration(999), "999ns");
  EXPECT_EQ(format_go_duration(60'000'000'000), "1m0s");
}
