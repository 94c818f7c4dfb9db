// Tests net/nft_table with real traffic inside throwaway namespaces: a "host" namespace with two
// bridges and an uplink to an "outside" namespace, and "container" namespaces on the bridges.
// Each test runs twice: with br_netfilter passing bridged traffic to the ip hooks (as on most
// Docker hosts) and without it (what Berth must not assume).
//
//   outside 10.77.250.2 ── 10.77.250.1 host ── bridge A 10.77.1.1/24: c1 .2 (server), c2 .3
//                                           └─ bridge B 10.77.2.1/24: c3 .2 (server), c4 .3
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "net/nft_table.hpp"
#include "net/sysctl.hpp"
#include "nft_test_support.hpp"

using namespace berth;
using namespace berth::net;
using namespace nft_test;

namespace {

constexpr uint16_t server_port = 5000;
constexpr auto blocked = std::chrono::milliseconds{700}; // how long a dropped attempt may take

const char* host_uplink = "10.77.250.1";
const char* outside_ip = "10.77.250.2";
const char* c1_ip = "10.77.1.2";
const char* c3_ip = "10.77.2.2";

std::string text(const std::optional<std::string>& answer) {
  return answer ? *answer : std::string{"(no answer)"};
}

class nft_traffic_test : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (!can_run()) GTEST_SKIP() << "needs root, nft, nsenter and ip";
    dir_.emplace();
    for (const char* name : {"host", "outside", "c1", "c2", "c3", "c4"})
      pins_.push_back(std::make_unique<netns_pin>(dir_->path() + "/" + name));
    if (!sys::exists("/proc/sys/net/bridge/bridge-nf-call-iptables") && br_netfilter())
      GTEST_SKIP() << "br_netfilter is not available";
    bridge_a_ = "bA" + suffix();
    bridge_b_ = "bB" + suffix();
    build_topology();
    servers_.emplace_back(std::make_unique<whoami_server>(ns("c1"), "c1", server_port));
    servers_.emplace_back(std::make_unique<whoami_server>(ns("c3"), "c3", server_port));
    servers_.emplace_back(std::make_unique<whoami_server>(ns("outside"), "outside", server_port));
    table_.emplace("berth-t" + suffix(), ns("host"));
  }

  void TearDown() override {
    if (table_ && ::testing::Test::HasFailure()) {
      auto listing = table_->listing();
      std::cerr << "ruleset at failure:\n" << (listing ? *listing : error_message(listing.error()));
    }
    servers_.clear(); // before the namespaces go
  }

  bool br_netfilter() const { return GetParam(); }

  std::string ns(const std::string& name) const { return dir_->path() + "/" + name; }

  void build_topology() {
    auto host = ns("host");
    sh_in(host, "sysctl -qw net.ipv4.ip_forward=1");
    if (sys::exists("/proc/sys/net/bridge/bridge-nf-call-iptables"))
      ASSERT_OK(
          write_sysctl_in(host, "net/bridge/bridge-nf-call-iptables", br_netfilter() ? "1" : "0"));
    add_bridge(host, bridge_a_, "10.77.1.1/24");
    add_bridge(host, bridge_b_, "10.77.2.1/24");
    add_container(host, ns("c1"), bridge_a_, "10.77.1.2/24", "10.77.1.1");
    add_container(host, ns("c2"), bridge_a_, "10.77.1.3/24", "10.77.1.1");
    add_container(host, ns("c3"), bridge_b_, "10.77.2.2/24", "10.77.2.1");
    add_container(host, ns("c4"), bridge_b_, "10.77.2.3/24", "10.77.2.1");
    // The uplink: "outside" knows only its own subnet, so replies to containers need masquerade.
    auto uplink = "vu" + suffix();
    auto peer = "vp" + suffix();
    sh_in(host, "ip link add " + uplink + " type veth peer name " + peer + " && ip addr add " +
                    host_uplink + "/24 dev " + uplink + " && ip link set " + uplink +
                    " up && ip link set " + peer + " netns " + ns("outside"));
    sh_in(ns("outside"), "ip link set " + peer + " name eth0 && ip addr add " + outside_ip +
                             "/24 dev eth0 && ip link set eth0 up");
  }

  network_rules network_a() const {
    return {.id = "net-a", .bridge = bridge_a_, .subnet = *ipv4_cidr::parse("10.77.1.0/24")};
  }
  network_rules network_b() const {
    return {.id = "net-b", .bridge = bridge_b_, .subnet = *ipv4_cidr::parse("10.77.2.0/24")};
  }

  port_mapping publish(ip_protocol proto, uint16_t host_port, const char* host_ip = "0.0.0.0") {
    return {.proto = proto,
            .host_ip = *ipv4_address::parse(host_ip),
            .host_port = host_port,
            .container_ip = *ipv4_address::parse(c1_ip),
            .container_port = server_port,
            .bridge = bridge_a_};
  }

  std::optional<scratch_dir> dir_;
  std::vector<std::unique_ptr<netns_pin>> pins_;
  std::string bridge_a_;
  std::string bridge_b_;
  std::vector<std::unique_ptr<whoami_server>> servers_;
  std::optional<nft_table> table_;
};

} // namespace

TEST_P(nft_traffic_test, published_ports_reach_the_container_from_the_host_containers_and_outside) {
  ASSERT_OK(table_->add_network(network_a()));
  ASSERT_OK(table_->add_network(network_b()));
  ASSERT_OK(table_->add_port_mappings(
      "c1", {publish(ip_protocol::tcp, 8080), publish(ip_protocol::udp, 8053)}));

  // From the host through loopback: DNAT in output, then masqueraded to the bridge's address.
  EXPECT_EQ(text(ask(ns("host"), transport::tcp, "127.0.0.1", 8080)), "c1 10.77.1.1");
  EXPECT_EQ(text(ask(ns("host"), transport::udp, "127.0.0.1", 8053)), "c1 10.77.1.1");
  // From the host through its own uplink address: the source stays.
  EXPECT_EQ(text(ask(ns("host"), transport::tcp, host_uplink, 8080)), "c1 10.77.250.1");
  // From outside, and from a container on another network: DNAT in prerouting.
  EXPECT_EQ(text(ask(ns("outside"), transport::tcp, host_uplink, 8080)), "c1 10.77.250.2");
  EXPECT_EQ(text(ask(ns("outside"), transport::udp, host_uplink, 8053)), "c1 10.77.250.2");
  // (c3's traffic leaves bridge B through bridge A, so ip-masq applies, as with dockerd.)
  EXPECT_EQ(text(ask(ns("c3"), transport::tcp, host_uplink, 8080)), "c1 10.77.1.1");
  EXPECT_EQ(text(ask(ns("c3"), transport::udp, "10.77.2.1", 8053)), "c1 10.77.1.1");
  // From a container on the same bridge (hairpin), through the gateway and the uplink address,
  // several times (a host that forwards back out of the bridge may send ICMP redirects).
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(text(ask(ns("c2"), transport::tcp, "10.77.1.1", 8080)).substr(0, 3), "c1 ");
    EXPECT_EQ(text(ask(ns("c2"), transport::tcp, host_uplink, 8080)).substr(0, 3), "c1 ");
  }

  ASSERT_OK(table_->remove_port_mappings("c1"));
  EXPECT_EQ(ask(ns("host"), transport::tcp, "127.0.0.1", 8080, blocked), std::nullopt);
  EXPECT_EQ(ask(ns("host"), transport::udp, "127.0.0.1", 8053, blocked), std::nullopt);
  EXPECT_EQ(ask(ns("outside"), transport::tcp, host_uplink, 8080, blocked), std::nullopt);
  EXPECT_EQ(ask(ns("c3"), transport::tcp, host_uplink, 8080, blocked), std::nullopt);
  EXPECT_EQ(ask(ns("c2"), transport::tcp, "10.77.1.1", 8080, blocked), std::nullopt);
}

TEST_P(nft_traffic_test, a_port_published_on_one_address_answers_only_there) {
  ASSERT_OK(table_->add_network(network_a()));
  ASSERT_OK(table_->add_port_mappings("c1", {publish(ip_protocol::tcp, 9090, "127.0.0.1")}));
  EXPECT_EQ(text(ask(ns("host"), transport::tcp, "127.0.0.1", 9090)), "c1 10.77.1.1");
  EXPECT_EQ(ask(ns("host"), transport::tcp, host_uplink, 9090, blocked), std::nullopt);
  EXPECT_EQ(ask(ns("outside"), transport::tcp, host_uplink, 9090, blocked), std::nullopt);
}

TEST_P(nft_traffic_test, removing_one_owners_ports_keeps_the_others) {
  ASSERT_OK(table_->add_network(network_a()));
  ASSERT_OK(table_->add_port_mappings("first", {publish(ip_protocol::tcp, 8080)}));
  ASSERT_OK(table_->add_port_mappings("second", {publish(ip_protocol::tcp, 8081)}));
  ASSERT_OK(table_->remove_port_mappings("first"));
  EXPECT_EQ(ask(ns("outside"), transport::tcp, host_uplink, 8080, blocked), std::nullopt);
  EXPECT_EQ(text(ask(ns("outside"), transport::tcp, host_uplink, 8081)), "c1 10.77.250.2");
}

TEST_P(nft_traffic_test, ip_masq_hides_containers_behind_the_host_unless_disabled) {
  // "outside" routes network B back through the host, so unmasqueraded traffic can be answered.
  sh_in(ns("outside"), std::string{"ip route add 10.77.2.0/24 via "} + host_uplink);
  ASSERT_OK(table_->add_network(network_a()));
  auto b = network_b();
  b.masquerade = false;
  ASSERT_OK(table_->add_network(b));
  EXPECT_EQ(text(ask(ns("c1"), transport::tcp, outside_ip, server_port)), "outside 10.77.250.1");
  EXPECT_EQ(text(ask(ns("c1"), transport::udp, outside_ip, server_port)), "outside 10.77.250.1");
  EXPECT_EQ(text(ask(ns("c3"), transport::tcp, outside_ip, server_port)), "outside 10.77.2.2");
}

TEST_P(nft_traffic_test, networks_are_isolated_and_unpublished_ports_are_closed_to_outside) {
  sh_in(ns("outside"), std::string{"ip route add 10.77.0.0/16 via "} + host_uplink);
  // Without Berth's rules the host routes everything.
  EXPECT_EQ(text(ask(ns("c3"), transport::tcp, c1_ip, server_port)), "c1 10.77.2.2");
  EXPECT_EQ(text(ask(ns("outside"), transport::tcp, c1_ip, server_port)), "c1 10.77.250.2");
  ASSERT_OK(table_->add_network(network_a()));
  ASSERT_OK(table_->add_network(network_b()));
  EXPECT_EQ(ask(ns("c3"), transport::tcp, c1_ip, server_port, blocked), std::nullopt);
  EXPECT_EQ(ask(ns("c1"), transport::tcp, c3_ip, server_port, blocked), std::nullopt);
  EXPECT_EQ(ask(ns("outside"), transport::tcp, c1_ip, server_port, blocked), std::nullopt);
  // Removing a network's rules opens it again.
  ASSERT_OK(table_->remove_network("net-a"));
  ASSERT_OK(table_->remove_network("net-b"));
  EXPECT_EQ(text(ask(ns("outside"), transport::tcp, c1_ip, server_port)), "c1 10.77.250.2");
}

TEST_P(nft_traffic_test, icc_false_blocks_containers_on_the_same_bridge) {
  ASSERT_OK(table_->add_network(network_a()));
  EXPECT_EQ(text(ask(ns("c2"), transport::tcp, c1_ip, server_port)), "c1 10.77.1.3");
  auto a = network_a();
  a.icc = false;
  ASSERT_OK(table_->add_network(a));
  EXPECT_EQ(ask(ns("c2"), transport::tcp, c1_ip, server_port, blocked), std::nullopt);
  EXPECT_EQ(ask(ns("c2"), transport::udp, c1_ip, server_port, blocked), std::nullopt);
  // Leaving the bridge is still allowed.
  EXPECT_EQ(text(ask(ns("c1"), transport::tcp, outside_ip, server_port)), "outside 10.77.250.1");
  ASSERT_OK(table_->add_network(network_a()));
  EXPECT_EQ(text(ask(ns("c2"), transport::tcp, c1_ip, server_port)), "c1 10.77.1.3");
}

TEST_P(nft_traffic_test, internal_networks_reach_nothing_beyond_their_bridge) {
  sh_in(ns("outside"), std::string{"ip route add 10.77.2.0/24 via "} + host_uplink);
  EXPECT_EQ(text(ask(ns("c4"), transport::tcp, outside_ip, server_port)), "outside 10.77.2.3");
  auto b = network_b();
  b.internal = true;
  ASSERT_OK(table_->add_network(b));
  EXPECT_EQ(ask(ns("c4"), transport::tcp, outside_ip, server_port, blocked), std::nullopt);
  EXPECT_EQ(ask(ns("outside"), transport::tcp, c3_ip, server_port, blocked), std::nullopt);
  // Containers on the internal bridge still talk to each other.
  EXPECT_EQ(text(ask(ns("c4"), transport::tcp, c3_ip, server_port)), "c3 10.77.2.3");
}

TEST_P(nft_traffic_test, rebuild_restores_a_working_configuration) {
  ASSERT_OK(table_->add_port_mappings("stale", {publish(ip_protocol::tcp, 7070)}));
  ASSERT_OK(
      table_->rebuild({network_a(), network_b()}, {{"c1", {publish(ip_protocol::tcp, 8080)}}}));
  EXPECT_EQ(ask(ns("outside"), transport::tcp, host_uplink, 7070, blocked), std::nullopt);
  EXPECT_EQ(text(ask(ns("outside"), transport::tcp, host_uplink, 8080)), "c1 10.77.250.2");
  EXPECT_EQ(text(ask(ns("host"), transport::tcp, "127.0.0.1", 8080)), "c1 10.77.1.1");
  EXPECT_EQ(ask(ns("c3"), transport::tcp, c1_ip, server_port, blocked), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(br_netfilter, nft_traffic_test, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "on" : "off";
                         });
