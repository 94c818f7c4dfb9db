// Tests net/mac_address: Docker's IP-derived MACs and stable bridge MACs.
#include <gtest/gtest.h>

#include "net/mac_address.hpp"

using namespace berth;
using namespace berth::net;

TEST(mac_address, container_mac_comes_from_the_ip_as_in_docker) {
  EXPECT_EQ(mac_for(*ipv4_address::parse("172.17.0.2")), "02:42:ac:11:00:02");
  EXPECT_EQ(mac_for(*ipv4_address::parse("10.255.0.254")), "02:42:0a:ff:00:fe");
}

TEST(mac_address, bridge_mac_is_stable_local_unicast_and_outside_docker_range) {
  for (std::string name : {"berth0", "br-0123456789ab", "x", ""}) {
    auto mac = stable_mac_for_name(name);
    EXPECT_EQ(mac, stable_mac_for_name(name));
    auto bytes = parse_mac(mac);
    ASSERT_TRUE(bytes) << mac;
    EXPECT_EQ((*bytes)[0], 0x02) << mac; // locally administered, unicast
    EXPECT_NE((*bytes)[1], 0x42) << mac;
  }
  EXPECT_NE(stable_mac_for_name("berth0"), stable_mac_for_name("berth1"));
}

TEST(mac_address, parse_and_format) {
  auto bytes = parse_mac("02:AB:cd:00:11:ff");
  ASSERT_TRUE(bytes);
  EXPECT_EQ(format_mac(*bytes), "02:ab:cd:00:11:ff");
  for (auto bad : {"", "02:ab:cd:00:11", "02:ab:cd:00:11:ff:", "02-ab-cd-00-11-ff",
                   "02:ab:cd:00:11:fg", "2:ab:cd:00:11:ff0"})
    EXPECT_FALSE(parse_mac(bad)) << bad;
}
