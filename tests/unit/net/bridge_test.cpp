// Tests net/bridge and net/link: bridges as the kernel shows them (MAC, MTU, addresses, up),
// reconciling an existing bridge, refusing other kinds of link, and leaving nothing on failure.
#include <gtest/gtest.h>

#include "net/bridge.hpp"
#include "net/mac_address.hpp"
#include "tests/unit/net/net_sandbox.hpp"

using namespace berth;
using namespace berth::net;
using test::cidr;
using test::contains;

namespace {

class bridge : public test::net_sandbox {
 protected:
  bridge_settings settings(const std::string& name) {
    return {.name = prefix_ + name, .mtu = 1450, .mac = "", .addresses = {cidr("172.17.0.1/16")}};
  }

  caf::error create(const bridge_settings& wanted) {
    return in_host([&] { return create_bridge(wanted); });
  }

  std::vector<std::string> our_links() {
    return value_in(host_, [&] { return links_with_prefix(prefix_); });
  }
};

} // namespace

TEST_F(bridge, is_created_with_its_mac_mtu_and_addresses_and_up) {
  auto wanted = settings("br0");
  ASSERT_OK(create(wanted));
  auto link = ip(host_, {"-d", "link", "show", "dev", wanted.name});
  EXPECT_TRUE(contains(link, "mtu 1450")) << link;
  EXPECT_TRUE(contains(link, "link/ether " + stable_mac_for_name(wanted.name))) << link;
  EXPECT_TRUE(contains(link, ",UP")) << link;
  EXPECT_TRUE(contains(link, " bridge ")) << link;
  auto addresses = ip(host_, {"-4", "addr", "show", "dev", wanted.name});
  EXPECT_TRUE(contains(addresses, "inet 172.17.0.1/16 brd 172.17.255.255")) << addresses;
  // The kernel added the connected route for the subnet.
  auto routes = ip(host_, {"route", "show", "dev", wanted.name});
  EXPECT_TRUE(contains(routes, "172.17.0.0/16")) << routes;
  EXPECT_TRUE(value_in(host_, [&] { return link_exists(wanted.name); }));
}

TEST_F(bridge, second_create_is_harmless_and_a_changed_one_is_applied) {
  auto wanted = settings("br0");
  ASSERT_OK(create(wanted));
  auto before = ip(host_, {"link", "show", "dev", wanted.name});
  ASSERT_OK(create(wanted));
  // Same link (same index), same state.
  EXPECT_EQ(ip(host_, {"link", "show", "dev", wanted.name}), before);
  auto addresses = ip(host_, {"-4", "addr", "show", "dev", wanted.name});
  EXPECT_EQ(std::count(addresses.begin(), addresses.end(), '\n'), 1) << addresses;

  // Someone took it down and added a stray address: the next create repairs both.
  run_in(host_, {"ip", "link", "set", "dev", wanted.name, "down"});
  run_in(host_, {"ip", "addr", "add", "10.77.0.1/24", "dev", wanted.name});
  wanted.mtu = 1400;
  wanted.mac = "02:AB:CD:00:11:22"; // either case is accepted
  wanted.addresses = {cidr("172.18.0.1/16"), cidr("172.19.0.1/24")};
  ASSERT_OK(create(wanted));
  auto link = ip(host_, {"link", "show", "dev", wanted.name});
  EXPECT_TRUE(contains(link, "mtu 1400")) << link;
  EXPECT_TRUE(contains(link, "link/ether 02:ab:cd:00:11:22")) << link;
  EXPECT_TRUE(contains(link, ",UP")) << link;
  addresses = ip(host_, {"-4", "addr", "show", "dev", wanted.name});
  EXPECT_FALSE(contains(addresses, "172.17.0.1")) << addresses;
  EXPECT_FALSE(contains(addresses, "10.77.0.1")) << addresses;
  EXPECT_TRUE(contains(addresses, "inet 172.18.0.1/16 brd 172.18.255.255")) << addresses;
  EXPECT_TRUE(contains(addresses, "inet 172.19.0.1/24 brd 172.19.0.255")) << addresses;
}

TEST_F(bridge, a_link_of_another_kind_is_a_conflict_and_stays_untouched) {
  auto wanted = settings("x0");
  run_in(host_, {"ip", "link", "add", "name", wanted.name, "type", "veth", "peer", "name",
                 prefix_ + "x1"});
  auto err = create(wanted);
  ASSERT_TRUE(err);
  EXPECT_EQ(error_kind(err), errc::conflict) << error_message(err);
  EXPECT_TRUE(contains(error_message(err), "veth")) << error_message(err);
  auto link = ip(host_, {"-d", "link", "show", "dev", wanted.name});
  EXPECT_TRUE(contains(link, "veth")) << link;
  EXPECT_FALSE(contains(ip(host_, {"-4", "addr", "show", "dev", wanted.name}), "172.17.0.1"));
}

TEST_F(bridge, bad_settings_leave_nothing_behind) {
  auto too_long = settings("averyveryverylongname");
  auto slash = settings("br/0");
  auto bad_mtu = settings("br0");
  bad_mtu.mtu = 70000;
  auto multicast_mac = settings("br1");
  multicast_mac.mac = "01:00:5e:00:00:01";
  auto garbage_mac = settings("br2");
  garbage_mac.mac = "02:42:zz:00:00:01";
  for (const auto* wanted : {&too_long, &slash, &bad_mtu, &multicast_mac, &garbage_mac}) {
    auto err = create(*wanted);
    ASSERT_TRUE(err) << wanted->name;
    EXPECT_EQ(error_kind(err), errc::invalid_argument) << error_message(err);
  }
  EXPECT_TRUE(our_links().empty());
}

TEST_F(bridge, delete_link_removes_it_and_a_missing_one_is_fine) {
  auto first = settings("br0");
  auto second = settings("br1");
  second.addresses = {cidr("172.18.0.1/16")};
  ASSERT_OK(create(first));
  ASSERT_OK(create(second));
  EXPECT_EQ(our_links(), (std::vector<std::string>{first.name, second.name}));
  ASSERT_OK(in_host([&]() -> caf::error {
    if (auto err = delete_link(first.name)) return err;
    return delete_link(first.name); // already gone
  }));
  EXPECT_EQ(our_links(), std::vector<std::string>{second.name});
  EXPECT_FALSE(has_link(host_, first.name));
  ASSERT_OK(in_host([&] { return delete_link(second.name); }));
  EXPECT_TRUE(our_links().empty());
  EXPECT_EQ(links_in(host_), std::vector<std::string>{"lo"});
}
