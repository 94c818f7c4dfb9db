// Tests base/base64: both alphabets, padding optional on decoding, malformed input refused.
#include <gtest/gtest.h>

#include "base/base64.hpp"

using namespace berth;

TEST(base64, round_trips_and_accepts_both_alphabets) {
  EXPECT_EQ(base64_encode("user:pass"), "dXNlcjpwYXNz");
  EXPECT_EQ(base64_encode("a"), "YQ==");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64_decode("YQ==").value(), "a");
  EXPECT_EQ(base64_decode("YQ").value(), "a");
  EXPECT_EQ(base64_decode("-_8").value(), "\xfb\xff");
  EXPECT_EQ(base64_decode("+/8=").value(), "\xfb\xff");
  EXPECT_FALSE(base64_decode("Y"));
  EXPECT_FALSE(base64_decode("YQ=a"));
  EXPECT_FALSE(base64_decode("YQ==="));
  EXPECT_FALSE(base64_decode("Y!=="));
}
