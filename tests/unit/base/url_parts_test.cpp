// Tests base/url_parts: percent-escapes and URL authorities.
#include <gtest/gtest.h>

#include "base/url_parts.hpp"

using namespace berth;

TEST(url_parts, percent_decoding) {
  EXPECT_EQ(percent_decode("a%20b%2Fc"), "a b/c");
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_FALSE(percent_decode("%2"));
  EXPECT_FALSE(percent_decode("%zz"));
}

TEST(url_parts, authorities_split_like_go) {
  auto named = split_host_port("Registry.Example:5000");
  ASSERT_TRUE(named);
  EXPECT_EQ(named->host, "registry.example");
  EXPECT_EQ(named->port, 5000);
  auto v6 = split_host_port("[::1]:443");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 443);
  auto bare = split_host_port("proxy");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->port, 0);
  EXPECT_FALSE(bare->empty_port);
  auto colon = split_host_port("proxy:");
  ASSERT_TRUE(colon);
  EXPECT_TRUE(colon->empty_port);
  for (const char* bad : {"", ":80", "host:0", "host:65536", "host:x", "[zz]:1", "[::1", "a b"})
    EXPECT_FALSE(split_host_port(bad)) << bad;
}

TEST(url_parts, authorities_join_like_go) {
  EXPECT_EQ(join_host_port("registry.example", 5000), "registry.example:5000");
  EXPECT_EQ(join_host_port("::1", 443), "[::1]:443");
  EXPECT_EQ(url_host("registry.example"), "registry.example");
  EXPECT_EQ(url_host("fe80::1"), "[fe80::1]");
  auto round_trip = split_host_port(join_host_port("::1", 8080));
  ASSERT_TRUE(round_trip);
  EXPECT_EQ(round_trip->host, "::1");
  EXPECT_EQ(round_trip->port, 8080);
}
