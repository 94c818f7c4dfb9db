// Tests net/dns_table: dockerd's name resolution rules over per-network snapshots.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "net/dns_table.hpp"

using namespace berth;
using namespace berth::net;

namespace {

ipv4_address ip(std::string_view text) {
  return *ipv4_address::parse(text);
}

using addresses = std::vector<ipv4_address>;

void add_two_networks(dns_table& table) {
  table.set_entries("id-front", {.network_name = "front",
                                 .names = {{"Web", {ip("172.20.0.2")}},
                                           {"cache", {ip("172.20.0.3"), ip("172.20.0.4")}},
                                           {"0123456789ab", {ip("172.20.0.2")}}},
                                 .reverse = {{ip("172.20.0.2"), "web"}}});
  table.set_entries("id-back", {.network_name = "back",
                                .names = {{"web", {ip("172.21.0.2")}}, {"db", {ip("172.21.0.9")}}},
                                .reverse = {{ip("172.21.0.9"), "db"}}});
}

} // namespace

TEST(dns_table, looks_names_up_case_insensitively_with_or_without_the_dot) {
  dns_table table;
  add_two_networks(table);
  std::vector<std::string> nets{"id-front"};
  EXPECT_EQ(table.lookup(nets, "web"), addresses{ip("172.20.0.2")});
  EXPECT_EQ(table.lookup(nets, "WEB."), addresses{ip("172.20.0.2")});
  EXPECT_EQ(table.lookup(nets, "0123456789AB"), addresses{ip("172.20.0.2")});
  EXPECT_EQ(table.lookup(nets, "cache").size(), 2u);
  EXPECT_TRUE(table.lookup(nets, "db").empty()) << "db is on a network this container is not on";
  EXPECT_TRUE(table.lookup(nets, "").empty());
  EXPECT_TRUE(table.lookup(nets, ".").empty());
  EXPECT_TRUE(table.lookup({}, "web").empty());
}

TEST(dns_table, first_network_of_the_container_wins) {
  dns_table table;
  add_two_networks(table);
  std::vector<std::string> front_first{"id-front", "id-back"};
  std::vector<std::string> back_first{"id-back", "id-front"};
  EXPECT_EQ(table.lookup(front_first, "web"), addresses{ip("172.20.0.2")});
  EXPECT_EQ(table.lookup(back_first, "web"), addresses{ip("172.21.0.2")});
  EXPECT_EQ(table.lookup(front_first, "db"), addresses{ip("172.21.0.9")});
  std::vector<std::string> unknown_first{"id-gone", "id-back"};
  EXPECT_EQ(table.lookup(unknown_first, "db"), addresses{ip("172.21.0.9")});
}

TEST(dns_table, name_dot_network_picks_the_network) {
  dns_table table;
  add_two_networks(table);
  std::vector<std::string> nets{"id-front", "id-back"};
  EXPECT_EQ(table.lookup(nets, "web.back"), addresses{ip("172.21.0.2")});
  EXPECT_EQ(table.lookup(nets, "Web.Front."), addresses{ip("172.20.0.2")});
  EXPECT_TRUE(table.lookup(nets, "db.front").empty());
  std::vector<std::string> front_only{"id-front"};
  EXPECT_TRUE(table.lookup(front_only, "web.back").empty()) << "not attached to back";

  // Dots in network and container names: "a.b" in network "c.d".
  dns_table dotted;
  dotted.set_entries("id-x", {.network_name = "c.d", .names = {{"a.b", {ip("10.0.0.1")}}}});
  std::vector<std::string> x{"id-x"};
  EXPECT_EQ(dotted.lookup(x, "a.b.c.d"), addresses{ip("10.0.0.1")});
  EXPECT_EQ(dotted.lookup(x, "a.b"), addresses{ip("10.0.0.1")});
  EXPECT_TRUE(dotted.lookup(x, "a.b.c").empty());
}

TEST(dns_table, merges_names_that_differ_in_case_only) {
  dns_table table;
  table.set_entries("n", {.network_name = "n",
                          .names = {{"svc", {ip("10.0.0.1")}},
                                    {"SVC", {ip("10.0.0.2"), ip("10.0.0.1")}},
                                    {"empty", {}}}});
  std::vector<std::string> nets{"n"};
  auto found = table.lookup(nets, "Svc");
  std::sort(found.begin(), found.end());
  EXPECT_EQ(found, (addresses{ip("10.0.0.1"), ip("10.0.0.2")}));
  EXPECT_TRUE(table.lookup(nets, "empty").empty());
}

TEST(dns_table, replaces_and_removes_networks) {
  dns_table table;
  add_two_networks(table);
  std::vector<std::string> nets{"id-front"};
  table.set_entries("id-front", {.network_name = "front", .names = {{"web", {ip("172.20.0.7")}}}});
  EXPECT_EQ(table.lookup(nets, "web"), addresses{ip("172.20.0.7")});
  EXPECT_TRUE(table.lookup(nets, "cache").empty());
  table.remove_network("id-front");
  EXPECT_TRUE(table.lookup(nets, "web").empty());
  table.remove_network("id-never-there");
}

TEST(dns_table, reverse_lookup_names_container_dot_network) {
  dns_table table;
  add_two_networks(table);
  std::vector<std::string> nets{"id-front", "id-back"};
  EXPECT_EQ(table.reverse_lookup(nets, ip("172.20.0.2")), "web.front");
  EXPECT_EQ(table.reverse_lookup(nets, ip("172.21.0.9")), "db.back");
  EXPECT_FALSE(table.reverse_lookup(nets, ip("172.21.0.1")));
  std::vector<std::string> front{"id-front"};
  EXPECT_FALSE(table.reverse_lookup(front, ip("172.21.0.9")));
}

TEST(dns_table, readers_see_whole_snapshots_while_a_writer_replaces_them) {
  dns_table table;
  std::vector<std::string> nets{"n"};
  // Readers run against a writer that keeps replacing the network: every lookup finds exactly one
  // address (run under TSan to check the locking).
  auto version = [](uint32_t v) {
    return dns_network_records{.network_name = "n",
                               .names = {{"a", {ipv4_address{v}}}, {"b", {ipv4_address{v}}}},
                               .reverse = {{ipv4_address{v}, "a"}}};
  };
  table.set_entries("n", version(1));
  std::atomic<bool> done{false};
  std::atomic<int> torn{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r)
    readers.emplace_back([&] {
      while (!done.load()) {
        auto a = table.lookup(nets, "a");
        if (a.size() != 1) ++torn;
      }
    });
  for (uint32_t v = 2; v < 3000; ++v)
    table.set_entries("n", version(v));
  done = true;
  for (auto& t : readers)
    t.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(table.lookup(nets, "b"), addresses{ipv4_address{2999}});
}
