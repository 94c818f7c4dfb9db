// Tests base/units: docker's size strings.
#include <gtest/gtest.h>

#include "base/units.hpp"

using namespace berth;

TEST(units, ram_sizes_are_binary) {
  EXPECT_EQ(units::parse_ram_bytes("64m"), 64 * 1024 * 1024);
  EXPECT_EQ(units::parse_ram_bytes("64M"), 64 * 1024 * 1024);
  EXPECT_EQ(units::parse_ram_bytes("1g"), int64_t{1} << 30);
  EXPECT_EQ(units::parse_ram_bytes("512"), 512);
  EXPECT_EQ(units::parse_ram_bytes("2KiB"), 2048);
  EXPECT_FALSE(units::parse_ram_bytes("m"));
  EXPECT_FALSE(units::parse_ram_bytes("12x"));
  EXPECT_FALSE(units::parse_ram_bytes("-1m"));
}

TEST(units, human_sizes_are_decimal) {
  EXPECT_EQ(units::parse_human_size("10m"), 10'000'000);
  EXPECT_EQ(units::parse_human_size("1.5k"), 1500);
  EXPECT_EQ(units::human_size(1'234'567), "1.235MB");
  EXPECT_EQ(units::human_size(512), "512B");
}
