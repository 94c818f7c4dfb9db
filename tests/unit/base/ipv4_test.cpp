// Tests base/ipv4: parsing, containment and overlap of prefixes.
#include <gtest/gtest.h>

#include "base/ipv4.hpp"

using namespace berth;

TEST(ipv4, parses_and_formats_addresses) {
  auto a = ipv4_address::parse("172.17.0.1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->to_string(), "172.17.0.1");
  EXPECT_FALSE(ipv4_address::parse("256.1.1.1"));
  EXPECT_FALSE(ipv4_address::parse("1.2.3"));
  EXPECT_FALSE(ipv4_address::parse("1.2.3.4.5"));
  EXPECT_FALSE(ipv4_address::parse("01.2.3.4"));
  EXPECT_FALSE(ipv4_address::parse(""));
}

TEST(ipv4, cidr_math) {
  auto c = ipv4_cidr::parse("172.17.0.1/16");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->network().to_string(), "172.17.0.0");
  EXPECT_EQ(c->broadcast().to_string(), "172.17.255.255");
  EXPECT_EQ(c->canonical().to_string(), "172.17.0.0/16");
  EXPECT_TRUE(c->contains(*ipv4_address::parse("172.17.200.3")));
  EXPECT_FALSE(c->contains(*ipv4_address::parse("172.18.0.1")));
  EXPECT_TRUE(c->overlaps(*ipv4_cidr::parse("172.17.5.0/24")));
  EXPECT_TRUE(ipv4_cidr::parse("10.0.0.0/8")->overlaps(*c) == false);
  EXPECT_FALSE(ipv4_cidr::parse("10.0.0.0/33"));
  EXPECT_FALSE(ipv4_cidr::parse("10.0.0.0"));
  EXPECT_EQ(ipv4_cidr::parse("0.0.0.0/0")->mask(), 0u);
}
