// Tests base/text_fields: lines, fields and numbers of line-oriented text.
#include <gtest/gtest.h>

#include "base/text_fields.hpp"

using namespace berth;

namespace {

using views = std::vector<std::string_view>;

TEST(text_fields, lines_with_and_without_a_final_newline) {
  EXPECT_EQ(text_lines("a\nb c\n"), (views{"a", "b c"}));
  EXPECT_EQ(text_lines("a\n\nb"), (views{"a", "", "b"}));
  EXPECT_TRUE(text_lines("").empty());
}

TEST(text_fields, fields_skip_runs_of_separators) {
  EXPECT_EQ(text_fields("  eth0:  1 2\t3 "), (views{"eth0:", "1", "2", "3"}));
  EXPECT_EQ(text_fields("8:0 Read 4096", " :"), (views{"8", "0", "Read", "4096"}));
  EXPECT_TRUE(text_fields("   ").empty());
}

TEST(text_fields, whole_unsigned_numbers_only) {
  EXPECT_EQ(parse_u64("18446744073709551615"), 18446744073709551615u);
  EXPECT_EQ(parse_u64("0"), 0u);
  EXPECT_FALSE(parse_u64(""));
  EXPECT_FALSE(parse_u64("-1"));
  EXPECT_FALSE(parse_u64("12x"));
  EXPECT_FALSE(parse_u64("18446744073709551616"));
  EXPECT_FALSE(parse_u64("+1"));
  EXPECT_FALSE(parse_u64(" 1"));
}

TEST(text_fields, unsigned_numbers_of_fewer_bits_like_go_parse_uint) {
  EXPECT_FALSE(parse_u64("65536", 16));
  EXPECT_EQ(parse_u64("65535", 16), 65535u);
  EXPECT_EQ(parse_u64("255", 8), 255u);
  EXPECT_FALSE(parse_u64("256", 8));
  EXPECT_FALSE(parse_u64("", 16));
  EXPECT_FALSE(parse_u64("-0", 16));
}

} // namespace
