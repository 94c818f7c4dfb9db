// Tests runtime/go_text's time.Duration formatting (dockerd's messages print durations so).
#include <gtest/gtest.h>

#include "runtime/go_text.hpp"

using berth::runtime::format_go_duration;

TEST(go_text, formats_durations_like_go) {
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
