// Tests net/endpoint: veth endpoints between a bridge and container namespaces, seen from both
// sides, carrying real traffic, all-or-nothing on failure, and removable from either side.
#include <gtest/gtest.h>

#include "net/bridge.hpp"
#include "net/endpoint.hpp"
#include "net/mac_address.hpp"
#include "tests/unit/net/net_sandbox.hpp"
#include "tests/unit/net/tcp_probe.hpp"

using namespace berth;
using namespace berth::net;

namespace {

using test::address;
using test::cidr;
using test::contains;

class endpoint : public test::bridged_sandbox {
 protected:
  void SetUp() override {
    bridged_sandbox::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    c1_ = make_container("c1");
    c2_ = make_container("c2");
  }

  endpoint_settings settings(const std::string& pin, const std::string& host_suffix,
                             const char* ip) {
    return {.host_name = prefix_ + host_suffix,
            .bridge = bridge_,
            .netns_path = pin,
            .ifname = "eth0",
            .mac = "",
            .mtu = 1500,
            .address = cidr(ip),
            .gateway = address("172.17.0.1")};
  }

  caf::error create(const endpoint_settings& wanted) {
    return in_host([&] { return create_endpoint(wanted); });
  }

  // Nothing of ours in the host-role namespace but the bridge, nothing but lo in `pin`.
  void expect_no_endpoint(const std::string& pin) {
    EXPECT_EQ(links_in(host_), (std::vector<std::string>{"lo", bridge_}));
    EXPECT_EQ(links_in(pin), std::vector<std::string>{"lo"});
  }

  std::string c1_;
  std::string c2_;
};

} // namespace

TEST_F(endpoint, appears_on_the_bridge_and_in_the_container_addressed_and_routed) {
  auto wanted = settings(c1_, "v1", "172.17.0.2/16");
  wanted.mtu = 1450;
  auto bridge_mac_before = ip(host_, {"link", "show", "dev", bridge_});
  ASSERT_OK(create(wanted));

  auto host_end = ip(host_, {"link", "show", "dev", wanted.host_name});
  EXPECT_TRUE(contains(host_end, "master " + bridge_)) << host_end;
  EXPECT_TRUE(contains(host_end, ",UP")) << host_end;
  EXPECT_TRUE(contains(host_end, "mtu 1450")) << host_end;

  auto container_end = ip(c1_, {"link", "show", "dev", "eth0"});
  EXPECT_TRUE(contains(container_end, "link/ether 02:42:ac:11:00:02")) << container_end;
  EXPECT_TRUE(contains(container_end, "mtu 1450")) << container_end;
  EXPECT_TRUE(contains(container_end, ",UP")) << container_end;
  EXPECT_TRUE(contains(container_end, "state UP")) << container_end; // carrier: both ends up
  auto addresses = ip(c1_, {"-4", "addr", "show", "dev", "eth0"});
  EXPECT_TRUE(contains(addresses, "inet 172.17.0.2/16 brd 172.17.255.255")) << addresses;
  auto routes = ip(c1_, {"-4", "route", "show"});
  EXPECT_TRUE(contains(routes, "default via 172.17.0.1 dev eth0")) << routes;
  EXPECT_TRUE(contains(routes, "172.17.0.0/16 dev eth0")) << routes;
  // No temporary names were left anywhere, and the bridge kept its own MAC with a port attached.
  EXPECT_EQ(links_in(host_), (std::vector<std::string>{"lo", bridge_, wanted.host_name}));
  EXPECT_EQ(links_in(c1_), (std::vector<std::string>{"lo", "eth0"}));
  auto bridge_after = ip(host_, {"link", "show", "dev", bridge_});
  EXPECT_TRUE(contains(bridge_after, "link/ether " + stable_mac_for_name(bridge_))) << bridge_after;
}

TEST_F(endpoint, two_containers_on_the_bridge_reach_each_other_and_the_gateway) {
  ASSERT_OK(create(settings(c1_, "v1", "172.17.0.2/16")));
  ASSERT_OK(create(settings(c2_, "v2", "172.17.0.3/16")));

  auto moved = test::tcp_transfer(c2_, address("172.17.0.3"), c1_, 256 * 1024);
  ASSERT_TRUE(moved) << error_message(moved.error());
  EXPECT_EQ(*moved, 256u * 1024);
  // And the other way, and to the bridge's address in the host-role namespace.
  moved = test::tcp_transfer(c1_, address("172.17.0.2"), c2_, 1000);
  ASSERT_TRUE(moved) << error_message(moved.error());
  EXPECT_EQ(*moved, 1000u);
  moved = test::tcp_transfer(host_, address("172.17.0.1"), c2_, 1000);
  ASSERT_TRUE(moved) << error_message(moved.error());
  EXPECT_EQ(*moved, 1000u);

  // ICMP too, where busybox is installed.
  if (sys::exists("/usr/bin/busybox") || sys::exists("/bin/busybox")) {
    auto ping = run_in(c1_, {"busybox", "ping", "-c1", "-W2", "172.17.0.3"});
    EXPECT_EQ(ping.exit_code, 0) << ping.output;
  }
  // The neighbour entry c1 learned carries c2's Docker-style MAC.
  auto neighbours = ip(c1_, {"neigh", "show", "172.17.0.3"});
  EXPECT_TRUE(contains(neighbours, "02:42:ac:11:00:03")) << neighbours;
}

TEST_F(endpoint, a_second_network_adds_an_interface_but_keeps_the_default_route) {
  auto second_bridge = prefix_ + "br1";
  ASSERT_OK(in_host(
      [&] { return create_bridge({.name = second_bridge, .addresses = {cidr("10.88.0.1/24")}}); }));
  ASSERT_OK(create(settings(c1_, "v1", "172.17.0.2/16")));
  auto second = settings(c1_, "w1", "10.88.0.5/24");
  second.bridge = second_bridge;
  second.ifname = "eth1";
  second.gateway = address("10.88.0.1");
  ASSERT_OK(create(second));

  EXPECT_EQ(links_in(c1_), (std::vector<std::string>{"lo", "eth0", "eth1"}));
  auto addresses = ip(c1_, {"-4", "addr", "show", "dev", "eth1"});
  EXPECT_TRUE(contains(addresses, "inet 10.88.0.5/24")) << addresses;
  auto defaults = ip(c1_, {"-4", "route", "show", "default"});
  EXPECT_TRUE(contains(defaults, "default via 172.17.0.1 dev eth0")) << defaults;
  EXPECT_FALSE(contains(defaults, "10.88.0.1")) << defaults;
  auto host_end = ip(host_, {"link", "show", "dev", second.host_name});
  EXPECT_TRUE(contains(host_end, "master " + second_bridge)) << host_end;
}

TEST_F(endpoint, without_a_gateway_no_default_route_is_added) {
  auto wanted = settings(c1_, "v1", "172.17.0.2/16");
  wanted.gateway.reset();
  wanted.mac = "02:00:00:aa:bb:cc";
  ASSERT_OK(create(wanted));
  EXPECT_EQ(ip(c1_, {"-4", "route", "show", "default"}), "");
  auto container_end = ip(c1_, {"link", "show", "dev", "eth0"});
  EXPECT_TRUE(contains(container_end, "link/ether 02:00:00:aa:bb:cc")) << container_end;
}

TEST_F(endpoint, a_missing_bridge_fails_and_leaves_nothing) {
  auto wanted = settings(c1_, "v1", "172.17.0.2/16");
  wanted.bridge = prefix_ + "nobr";
  auto err = create(wanted);
  ASSERT_TRUE(err);
  EXPECT_EQ(error_kind(err), errc::not_found) << error_message(err);
  expect_no_endpoint(c1_);
}

TEST_F(endpoint, a_failure_inside_the_container_removes_both_ends) {
  // The pair gets made, then the default route is refused (the gateway is off the subnet).
  auto wanted = settings(c1_, "v1", "172.17.0.2/16");
  wanted.gateway = address("10.99.0.1");
  auto err = create(wanted);
  ASSERT_TRUE(err);
  EXPECT_TRUE(contains(error_message(err), "default route")) << error_message(err);
  expect_no_endpoint(c1_);
}

TEST_F(endpoint, an_existing_name_on_either_side_is_a_conflict_and_is_left_alone) {
  run_in(c1_, {"ip", "link", "add", "name", "eth0", "type", "veth", "peer", "name", "other0"});
  auto err = create(settings(c1_, "v1", "172.17.0.2/16"));
  ASSERT_TRUE(err);
  EXPECT_EQ(error_kind(err), errc::conflict) << error_message(err);
  EXPECT_EQ(links_in(host_), (std::vector<std::string>{"lo", bridge_}));
  EXPECT_TRUE(has_link(c1_, "eth0"));

  ASSERT_OK(create(settings(c2_, "v2", "172.17.0.3/16")));
  err = create(settings(c1_, "v2", "172.17.0.2/16")); // host end name taken by c2's endpoint
  ASSERT_TRUE(err);
  EXPECT_EQ(error_kind(err), errc::conflict) << error_message(err);
  EXPECT_TRUE(has_link(c2_, "eth0")) << "the existing endpoint must survive";
  EXPECT_TRUE(contains(ip(c2_, {"-4", "addr", "show", "dev", "eth0"}), "172.17.0.3/16"));
}

TEST_F(endpoint, an_invalid_namespace_or_name_fails_before_anything_is_made) {
  auto missing = settings(dir_ + "/nonexistent", "v1", "172.17.0.2/16");
  auto err = create(missing);
  ASSERT_TRUE(err);
  EXPECT_EQ(error_kind(err), errc::not_found) << error_message(err);
  auto long_name = settings(c1_, "v1-much-too-long", "172.17.0.2/16");
  err = create(long_name);
  ASSERT_TRUE(err);
  EXPECT_EQ(error_kind(err), errc::invalid_argument) << error_message(err);
  expect_no_endpoint(c1_);
}

TEST_F(endpoint, removal_by_either_end_leaves_nothing_and_is_repeatable) {
  auto first = settings(c1_, "v1", "172.17.0.2/16");
  auto second = settings(c2_, "v2", "172.17.0.3/16");
  ASSERT_OK(create(first));
  ASSERT_OK(create(second));

  ASSERT_OK(in_host([&] { return remove_endpoint(first.host_name); }));
  ASSERT_OK(in_host([&] { return remove_endpoint(first.host_name); }));
  EXPECT_EQ(links_in(c1_), std::vector<std::string>{"lo"});
  EXPECT_FALSE(has_link(host_, first.host_name));

  ASSERT_OK(in_host([&] { return remove_endpoint_in(c2_, "eth0"); }));
  ASSERT_OK(in_host([&] { return remove_endpoint_in(c2_, "eth0"); }));
  ASSERT_OK(in_host([&] { return remove_endpoint_in(dir_ + "/gone", "eth0"); }));
  EXPECT_EQ(links_in(c2_), std::vector<std::string>{"lo"});
  EXPECT_EQ(links_in(host_), (std::vector<std::string>{"lo", bridge_}));

  // And the same names can be used again.
  ASSERT_OK(create(first));
  EXPECT_TRUE(has_link(c1_, "eth0"));
}

TEST_F(endpoint, stats_count_the_traffic_the_container_sent_and_received) {
  ASSERT_OK(create(settings(c1_, "v1", "172.17.0.2/16")));
  ASSERT_OK(create(settings(c2_, "v2", "172.17.0.3/16")));
  constexpr size_t payload = 300 * 1000;
  auto moved = test::tcp_transfer(c2_, address("172.17.0.3"), c1_, payload);
  ASSERT_TRUE(moved) << error_message(moved.error());
  ASSERT_EQ(*moved, payload);

  auto sender = endpoint_stats(c1_, "eth0");
  auto receiver = endpoint_stats(c2_, "eth0");
  ASSERT_TRUE(sender) << error_message(sender.error());
  ASSERT_TRUE(receiver) << error_message(receiver.error());
  EXPECT_GE(sender->tx_bytes, payload);
  EXPECT_GE(receiver->rx_bytes, payload);
  EXPECT_GT(sender->tx_packets, 0u);
  EXPECT_GT(sender->rx_packets, 0u); // ACKs
  EXPECT_GE(receiver->rx_packets, payload / 65536);
  EXPECT_EQ(sender->tx_errors + receiver->rx_errors, 0u);

  auto missing = endpoint_stats(c1_, "eth7");
  ASSERT_FALSE(missing);
  EXPECT_EQ(error_kind(missing.error()), errc::not_found);
}
