// Tests base/ascii: only ASCII capitals fold, other bytes (UTF-8 included) stay.
#include <gtest/gtest.h>

#include "base/ascii.hpp"

using namespace berth;

TEST(ascii, lower_folds_only_ascii_capitals) {
  EXPECT_EQ(ascii_lower("HTTPS"), "https");
  EXPECT_EQ(ascii_lower("Bearer Realm=\"X\""), "bearer realm=\"x\"");
  EXPECT_EQ(ascii_lower("az09-_.@[]`{}"), "az09-_.@[]`{}");
  EXPECT_EQ(ascii_lower("\xc3\x84"
                        "B"),
            "\xc3\x84"
            "b"); // UTF-8 "Ä" stays as it is
  EXPECT_EQ(ascii_lower(""), "");
  static_assert(ascii_lower('Q') == 'q' && ascii_lower('@') == '@' && ascii_lower('[') == '[');
}
