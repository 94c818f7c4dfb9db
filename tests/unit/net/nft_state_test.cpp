// Tests net/nft_state: reading Berth's elements back from nft's JSON listing (no kernel needed).
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "net/nft_state.hpp"

using namespace berth;
using namespace berth::net;

TEST(nft_state, reads_jumps_and_published_ports_with_their_owners) {
  auto json = R"({"nftables": [{"metainfo": {"version": "1.0.6"}},
    {"table": {"family": "ip", "name": "berth", "handle": 1}},
    {"map": {"family": "ip", "name": "forward_in", "table": "berth", "type": "ifname",
             "map": "verdict", "elem": [[{"elem": {"val": "br0", "comment": "net1"}},
                                         {"jump": {"target": "forward_in-br0"}}],
                                        ["foreign", {"jump": {"target": "x"}}]]}},
    {"map": {"family": "ip", "name": "publish_any", "table": "berth",
             "elem": [[{"elem": {"val": {"concat": ["tcp", 8080]}, "comment": "c1"}},
                       {"concat": ["10.1.0.2", 80]}],
                      [{"elem": {"val": {"concat": [17, 53]}, "comment": "c2"}},
                       {"concat": ["10.1.0.3", 5353]}]]}},
    {"map": {"family": "ip", "name": "publish_addr", "table": "berth",
             "elem": [[{"elem": {"val": {"concat": ["127.0.0.1", "udp", 53]}, "comment": "c2"}},
                       {"concat": ["10.1.0.3", 53]}]]}},
    {"chain": {"family": "ip", "table": "berth", "name": "forward"}}]})";
  nft_state state;
  ASSERT_FALSE(parse_nft_ip_table(json, state));
  EXPECT_TRUE(state.ip_table);
  ASSERT_EQ(state.jumps.size(), 1U) << "elements without an owner comment are not Berth's";
  EXPECT_EQ(state.jumps[0].map, "forward_in");
  EXPECT_EQ(state.jumps[0].bridge, "br0");
  EXPECT_EQ(state.jumps[0].id, "net1");
  ASSERT_EQ(state.ports.size(), 3U);
  EXPECT_EQ(state.ports[0].owner, "c1");
  EXPECT_EQ(state.ports[0].mapping, (port_mapping{.proto = ip_protocol::tcp,
                                                  .host_port = 8080,
                                                  .container_ip = *ipv4_address::parse("10.1.0.2"),
                                                  .container_port = 80}));
  EXPECT_EQ(state.ports[1].mapping.proto, ip_protocol::udp);
  EXPECT_EQ(state.ports[2].mapping.host_ip, *ipv4_address::parse("127.0.0.1"));
  EXPECT_EQ(state.ports[2].mapping.host_port, 53);
}

TEST(nft_state, reads_icc_off_subnets) {
  auto json = R"({"nftables": [{"set": {"family": "bridge", "name": "icc_off_subnets",
    "elem": [{"elem": {"val": {"prefix": {"addr": "10.1.0.0", "len": 24}}, "comment": "n1"}},
             {"elem": {"val": "10.9.0.7", "comment": "n2"}}, "10.5.0.0"]}}]})";
  nft_state state;
  ASSERT_FALSE(parse_nft_bridge_table(json, state));
  ASSERT_EQ(state.icc_off.size(), 2U);
  EXPECT_EQ(state.icc_off[0].subnet, *ipv4_cidr::parse("10.1.0.0/24"));
  EXPECT_EQ(state.icc_off[0].id, "n1");
  EXPECT_EQ(state.icc_off[1].subnet, *ipv4_cidr::parse("10.9.0.7/32"));
}

TEST(nft_state, lists_table_names_of_one_family) {
  auto json = R"({"nftables": [{"table": {"family": "ip", "name": "berth"}},
    {"table": {"family": "inet", "name": "filter"}}, {"table": {"family": "bridge", "name": "berth"}},
    {"table": {"family": "ip", "name": "nat"}}]})";
  auto names = parse_nft_table_names(json, "ip");
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, (std::vector<std::string>{"berth", "nat"}));
}

TEST(nft_state, garbage_is_an_error) {
  nft_state state;
  EXPECT_EQ(error_kind(parse_nft_ip_table("Error: something", state)), errc::system);
  EXPECT_FALSE(parse_nft_table_names(R"({"other": 1})", "ip"));
}
