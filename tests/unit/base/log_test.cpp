// Tests base/log: logfmt lines, quoting and levels.
#include <gtest/gtest.h>

#include "base/log.hpp"

using namespace berth;

TEST(log, formats_a_logfmt_line) {
  auto line = log::format_line(log::level::info, "api", "request done",
                               {{"method", "GET"}, {"path", "/v1.50/info"}, {"status", 200}},
                               1'700'000'000'000'000'000);
  EXPECT_EQ(line, "time=2023-11-14T22:13:20.000000Z level=info component=api msg=\"request done\" "
                  "method=GET path=/v1.50/info status=200");
}

TEST(log, quotes_and_escapes_values) {
  auto line = log::format_line(log::level::warn, "x", "m", {{"a", ""}, {"b", "say \"hi\"\n"}}, 0);
  EXPECT_NE(line.find("a=\"\""), std::string::npos);
  EXPECT_NE(line.find("b=\"say \\\"hi\\\"\\n\""), std::string::npos);
}

TEST(log, parses_level_names) {
  EXPECT_EQ(log::parse_level("debug"), log::level::debug);
  EXPECT_EQ(log::parse_level("warn"), log::level::warn);
  EXPECT_EQ(log::parse_level("fatal"), log::level::fatal);
  EXPECT_FALSE(log::parse_level("verbose"));
}

TEST(log, threshold_filters_records) {
  log::set_level(log::level::warn);
  EXPECT_FALSE(log::enabled(log::level::info));
  EXPECT_TRUE(log::enabled(log::level::error));
  log::set_level(log::level::info);
  EXPECT_TRUE(log::enabled(log::level::info));
}
