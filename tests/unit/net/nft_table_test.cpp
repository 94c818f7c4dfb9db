// Tests net/nft_table against the real kernel, inside a throwaway network namespace: the ruleset
// text after each operation, idempotency, isolation between owners, rebuild, and errors.
#include <algorithm>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "net/nft_command.hpp"
#include "net/nft_table.hpp"
#include "net/sysctl.hpp"
#include "nft_test_support.hpp"

using namespace berth;
using namespace berth::net;
using namespace nft_test;

namespace {

ipv4_address addr(const char* text) {
  return *ipv4_address::parse(text);
}

ipv4_cidr cidr(const char* text) {
  return *ipv4_cidr::parse(text);
}

network_rules net_a() {
  return {.id = "net-a", .bridge = "br-a", .subnet = cidr("10.77.1.1/24")};
}

network_rules net_b() {
  return {.id = "net-b", .bridge = "br-b", .subnet = cidr("10.77.2.1/24"), .icc = false};
}

port_mapping tcp_any(uint16_t host_port, const char* ip, uint16_t port) {
  return {.proto = ip_protocol::tcp,
          .host_port = host_port,
          .container_ip = addr(ip),
          .container_port = port};
}

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

class nft_table_test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!can_run()) GTEST_SKIP() << "needs root, nft, nsenter and ip";
    dir_.emplace();
    host_.emplace(dir_->path() + "/host");
    table_.emplace("berth-t" + suffix(), host_->path());
  }

  std::string listing() {
    auto text = table_->listing();
    EXPECT_TRUE(text) << error_message(text.error());
    return text ? *text : std::string{};
  }

  std::optional<scratch_dir> dir_;
  std::optional<netns_pin> host_;
  std::optional<nft_table> table_;
};

} // namespace

TEST_F(nft_table_test, ensure_table_creates_the_skeleton_and_is_idempotent) {
  ASSERT_EQ(listing(), "");
  ASSERT_OK(table_->ensure_table());
  auto first = listing();
  auto p = table_->prefix();
  EXPECT_TRUE(has(first, "table ip " + p + " {")) << first;
  EXPECT_TRUE(has(first, "table bridge " + p + " {")) << first;
  EXPECT_TRUE(has(first, "type nat hook prerouting priority dstnat; policy accept;")) << first;
  EXPECT_TRUE(has(first, "type nat hook output priority -100; policy accept;")) << first;
  EXPECT_TRUE(has(first, "type nat hook postrouting priority srcnat; policy accept;")) << first;
  EXPECT_TRUE(has(first, "type filter hook forward priority filter; policy accept;")) << first;
  EXPECT_TRUE(has(first, "fib daddr type local jump publish")) << first;
  EXPECT_TRUE(has(first, "dnat ip to ip daddr . meta l4proto . th dport map @publish_addr"));
  ASSERT_OK(table_->ensure_table());
  EXPECT_EQ(listing(), first) << "a second ensure must not add rules";
}

TEST_F(nft_table_test, a_network_gets_its_chains_and_jumps_and_can_be_replaced_and_removed) {
  ASSERT_OK(table_->add_network(net_a())); // creates the tables on the way
  auto text = listing();
  EXPECT_TRUE(has(text, "elements = { \"br-a\" comment \"net-a\" : jump forward_in-br-a }"))
      << text;
  EXPECT_TRUE(has(text, "chain forward_in-br-a {\n\t\tct state established,related accept\n\t\t"
                        "iifname \"br-a\" accept comment \"icc\"\n\t\tct status dnat accept "
                        "comment \"published ports\"\n\t\tdrop comment \"unpublished ports and "
                        "other networks\"\n\t}"))
      << text;
  EXPECT_TRUE(
      has(text, "oifname != \"br-a\" ip saddr 10.77.1.0/24 masquerade comment \"ip-masq\""));
  EXPECT_TRUE(has(text, "ip saddr 127.0.0.0/8 masquerade comment \"from localhost\""));
  EXPECT_TRUE(has(text, "iifname \"br-a\" ct status dnat masquerade comment \"hairpin\""));
  EXPECT_FALSE(has(text, "10.77.1.0/24 comment")) << "icc is on: no bridge-table element";

  ASSERT_OK(table_->add_network(net_a()));
  EXPECT_EQ(listing(), text) << "adding the same network again changes nothing";

  auto changed = net_a();
  changed.icc = false;
  changed.masquerade = false;
  ASSERT_OK(table_->add_network(changed));
  text = listing();
  EXPECT_TRUE(has(text, "iifname \"br-a\" drop comment \"icc off\"")) << text;
  EXPECT_TRUE(has(text, "elements = { 10.77.1.0/24 comment \"net-a\" }")) << text;
  EXPECT_FALSE(has(text, "ip-masq")) << text;

  // The same ID on another bridge replaces the old bridge's chains.
  changed.bridge = "br-a2";
  ASSERT_OK(table_->add_network(changed));
  text = listing();
  EXPECT_FALSE(has(text, "\"br-a\"")) << text;
  EXPECT_FALSE(has(text, "forward_in-br-a ")) << text;
  EXPECT_TRUE(has(text, "\"br-a2\" comment \"net-a\" : jump forward_in-br-a2")) << text;

  ASSERT_OK(table_->remove_network("net-a"));
  auto empty = listing();
  EXPECT_FALSE(has(empty, "br-a")) << empty;
  EXPECT_FALSE(has(empty, "net-a")) << empty;
  ASSERT_OK(table_->ensure_table());
  ASSERT_OK(table_->delete_table());
  ASSERT_OK(table_->ensure_table());
  EXPECT_EQ(listing(), empty) << "after removal only the skeleton remains";
  EXPECT_FALSE(table_->remove_network("net-a")) << "removing twice is fine";
}

TEST_F(nft_table_test, internal_networks_have_no_nat_and_drop_everything_crossing_the_bridge) {
  auto n = net_a();
  n.internal = true;
  ASSERT_OK(table_->add_network(n));
  auto text = listing();
  EXPECT_TRUE(has(text, "chain forward_out-br-a {\n\t\tdrop comment \"internal\"\n\t}")) << text;
  EXPECT_TRUE(has(text, "iifname \"br-a\" accept comment \"icc\"\n\t\tdrop comment \"internal\""))
      << text;
  EXPECT_FALSE(has(text, "masquerade")) << text;
}

TEST_F(nft_table_test, port_mappings_are_per_owner) {
  ASSERT_OK(table_->ensure_table());
  auto local = tcp_any(9090, "10.77.1.3", 90);
  local.host_ip = addr("127.0.0.1");
  auto dns = tcp_any(5353, "10.77.1.3", 53);
  dns.proto = ip_protocol::udp;
  ASSERT_OK(table_->add_port_mappings("c1", {tcp_any(8080, "10.77.1.2", 80)}));
  ASSERT_OK(table_->add_port_mappings("c2", {local, dns}));
  auto text = listing();
  EXPECT_TRUE(has(text, "tcp . 8080 comment \"c1\" : 10.77.1.2 . 80")) << text;
  EXPECT_TRUE(has(text, "udp . 5353 comment \"c2\" : 10.77.1.3 . 53")) << text;
  EXPECT_TRUE(has(text, "127.0.0.1 . tcp . 9090 comment \"c2\" : 10.77.1.3 . 90")) << text;

  ASSERT_OK(table_->add_port_mappings("c2", {local, dns, local}));
  EXPECT_EQ(listing(), text) << "publishing again changes nothing";

  // Another owner cannot take a host port; nothing of its request is applied.
  auto err = table_->add_port_mappings(
      "c3", {tcp_any(7070, "10.77.1.4", 70), tcp_any(8080, "10.77.1.4", 80)});
  ASSERT_TRUE(err);
  EXPECT_EQ(error_kind(err), errc::conflict);
  EXPECT_EQ(error_message(err), "Bind for 0.0.0.0:8080 failed: port is already allocated");
  EXPECT_EQ(listing(), text);

  // The owner may retarget its own port.
  ASSERT_OK(table_->add_port_mappings("c1", {tcp_any(8080, "10.77.1.9", 81)}));
  EXPECT_TRUE(has(listing(), "tcp . 8080 comment \"c1\" : 10.77.1.9 . 81"));

  auto listed = table_->list_port_mappings();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2U);
  auto c2 = std::find_if(listed->begin(), listed->end(), [](auto& o) { return o.owner == "c2"; });
  ASSERT_NE(c2, listed->end());
  EXPECT_EQ(c2->mappings.size(), 2U);
  EXPECT_NE(std::find(c2->mappings.begin(), c2->mappings.end(), local), c2->mappings.end());

  ASSERT_OK(table_->remove_port_mappings("c1"));
  text = listing();
  EXPECT_FALSE(has(text, "8080")) << text;
  EXPECT_TRUE(has(text, "comment \"c2\"")) << "the other owner's ports stay: " << text;
  ASSERT_OK(table_->remove_port_mappings("c2"));
  EXPECT_FALSE(table_->remove_port_mappings("c2")) << "removing twice is fine";
  EXPECT_FALSE(has(listing(), "comment \"c2\""));
}

TEST_F(nft_table_test, route_localnet_is_enabled_on_the_mappings_bridge) {
  auto route_localnet = [&] {
    auto v = read_sysctl_in(host_->path(), "net/ipv4/conf/br-a/route_localnet");
    return v ? *v : error_message(v.error());
  };
  sh_in(host_->path(), "ip link add br-a type bridge");
  EXPECT_EQ(route_localnet(), "0");
  auto m = tcp_any(8080, "10.77.1.2", 80);
  m.bridge = "br-a";
  ASSERT_OK(table_->add_port_mappings("c1", {m}));
  EXPECT_EQ(route_localnet(), "1");
  m.bridge = "br-missing";
  auto err = table_->add_port_mappings("c1", {m});
  EXPECT_EQ(error_kind(err), errc::not_found) << error_message(err);
}

TEST_F(nft_table_test, rebuild_replaces_everything_in_one_transaction) {
  ASSERT_OK(table_->add_network(net_a()));
  ASSERT_OK(table_->add_network(
      {.id = "stale", .bridge = "br-old", .subnet = cidr("10.77.9.1/24"), .icc = false}));
  ASSERT_OK(table_->add_port_mappings("gone", {tcp_any(1111, "10.77.9.2", 11)}));

  ASSERT_OK(table_->rebuild({net_a(), net_b()}, {{"c1", {tcp_any(8080, "10.77.1.2", 80)}},
                                                 {"c2", {tcp_any(8081, "10.77.2.2", 80)}}}));
  auto rebuilt = listing();
  EXPECT_FALSE(has(rebuilt, "br-old")) << rebuilt;
  EXPECT_FALSE(has(rebuilt, "10.77.9.0/24")) << rebuilt;
  EXPECT_FALSE(has(rebuilt, "1111")) << rebuilt;
  EXPECT_TRUE(has(rebuilt, "elements = { 10.77.2.0/24 comment \"net-b\" }")) << rebuilt;

  // The same state built step by step reads back the same.
  nft_table fresh{table_->prefix() + "x", host_->path()};
  ASSERT_OK(fresh.add_network(net_a()));
  ASSERT_OK(fresh.add_network(net_b()));
  ASSERT_OK(fresh.add_port_mappings("c1", {tcp_any(8080, "10.77.1.2", 80)}));
  ASSERT_OK(fresh.add_port_mappings("c2", {tcp_any(8081, "10.77.2.2", 80)}));
  auto stepwise = fresh.listing();
  ASSERT_TRUE(stepwise);
  auto renamed = *stepwise;
  for (auto at = renamed.find(fresh.prefix()); at != std::string::npos;
       at = renamed.find(fresh.prefix(), at))
    renamed.replace(at, fresh.prefix().size(), table_->prefix());
  auto sorted_lines = [](const std::string& text) {
    std::vector<std::string> lines;
    size_t start = 0;
    for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
      lines.push_back(text.substr(start, nl - start));
    std::sort(lines.begin(), lines.end());
    return lines;
  };
  EXPECT_EQ(sorted_lines(renamed), sorted_lines(rebuilt));
  ASSERT_OK(fresh.delete_table());
}

TEST_F(nft_table_test, a_failing_transaction_changes_nothing_and_reports_nfts_message) {
  ASSERT_OK(table_->rebuild({net_a()}, {{"c1", {tcp_any(8080, "10.77.1.2", 80)}}}));
  auto before = listing();
  // Two icc=false networks with overlapping subnets: the kernel rejects the second interval
  // element after everything else in the script was already accepted.
  auto a = net_a();
  a.icc = false;
  auto overlapping = net_b();
  overlapping.subnet = cidr("10.77.0.0/16");
  auto err = table_->rebuild({a, overlapping}, {});
  ASSERT_TRUE(err);
  EXPECT_EQ(error_kind(err), errc::system);
  EXPECT_TRUE(has(error_message(err), "nft failed:")) << error_message(err);
  EXPECT_TRUE(has(error_message(err), "Error:")) << error_message(err);
  EXPECT_EQ(listing(), before) << "the failed rebuild must leave the old table in place";
}

TEST_F(nft_table_test, invalid_names_are_rejected_before_nft_runs) {
  EXPECT_EQ(error_kind(nft_table{"bad name", host_->path()}.ensure_table()),
            errc::invalid_argument);
  auto n = net_a();
  n.bridge = "br\"; flush ruleset";
  EXPECT_EQ(error_kind(table_->add_network(n)), errc::invalid_argument);
  n = net_a();
  n.id = "id with space";
  EXPECT_EQ(error_kind(table_->add_network(n)), errc::invalid_argument);
  EXPECT_EQ(error_kind(table_->add_port_mappings("c\"1", {tcp_any(1, "10.0.0.1", 1)})),
            errc::invalid_argument);
  EXPECT_EQ(error_kind(table_->add_port_mappings("c1", {tcp_any(0, "10.0.0.1", 1)})),
            errc::invalid_argument);
  EXPECT_EQ(error_kind(table_->add_port_mappings(
                "c1", {tcp_any(80, "10.0.0.1", 1), tcp_any(80, "10.0.0.2", 1)})),
            errc::invalid_argument);
}

TEST_F(nft_table_test, a_missing_namespace_is_an_error) {
  nft_table nowhere{"berth", dir_->path() + "/missing"};
  auto err = nowhere.ensure_table();
  ASSERT_TRUE(err);
  EXPECT_EQ(error_kind(err), errc::system);
}

TEST_F(nft_table_test, delete_table_removes_both_tables_and_tolerates_absence) {
  ASSERT_OK(table_->delete_table());
  ASSERT_OK(table_->add_network(net_b()));
  ASSERT_OK(table_->delete_table());
  EXPECT_EQ(listing(), "");
  auto tables = run_nft({host_->path()}, {"list", "tables"});
  ASSERT_TRUE(tables);
  EXPECT_FALSE(has(*tables, table_->prefix())) << *tables;
}
