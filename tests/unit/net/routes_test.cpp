// Tests net/routes and net/sysctl: the main table's IPv4 prefixes, and network sysctls per
// namespace.
#include <gtest/gtest.h>

#include "net/bridge.hpp"
#include "net/routes.hpp"
#include "net/sysctl.hpp"
#include "tests/unit/net/net_sandbox.hpp"

using namespace berth;
using namespace berth::net;

namespace {

class routes : public test::bridged_sandbox {
 protected:
  std::vector<ipv4_cidr> host_routes() {
    return value_in(host_, [] { return ipv4_routes(); });
  }

  static std::string read_in(const std::string& pin, const std::string& key) {
    return value_in(pin, [&] { return read_sysctl(key); });
  }
};

std::vector<ipv4_cidr> cidrs(std::initializer_list<const char*> texts) {
  std::vector<ipv4_cidr> out;
  for (const auto* text : texts)
    out.push_back(test::cidr(text));
  return out;
}

} // namespace

TEST_F(routes, lists_the_main_table_prefixes_but_not_default_or_other_tables) {
  EXPECT_EQ(host_routes(), cidrs({"172.17.0.0/16"}));
  run_in(host_, {"ip", "route", "add", "10.50.0.0/16", "via", "172.17.0.9"});
  run_in(host_, {"ip", "route", "add", "192.168.7.7/32", "dev", bridge_});
  run_in(host_, {"ip", "route", "add", "default", "via", "172.17.0.254"});
  run_in(host_, {"ip", "route", "add", "10.60.0.0/16", "dev", bridge_, "table", "100"});
  EXPECT_TRUE(ip(host_, {"route", "show", "default"}).find("172.17.0.254") != std::string::npos);
  EXPECT_EQ(host_routes(), cidrs({"10.50.0.0/16", "172.17.0.0/16", "192.168.7.7/32"}));
}

TEST_F(routes, sysctls_are_read_and_written_per_namespace) {
  auto c1 = make_container("c1");
  auto key = "net.ipv4.conf." + bridge_ + ".route_localnet";
  ASSERT_OK(in_host([&] { return write_sysctl(key, "1"); }));
  EXPECT_EQ(read_in(host_, key), "1");
  // iproute2's view from the same namespace agrees.
  auto seen = run_in(host_, {"cat", "/proc/sys/net/ipv4/conf/" + bridge_ + "/route_localnet"});
  EXPECT_EQ(seen.output, "1\n");

  // Flip ip_forward in the host-role namespace; the container's value must not follow.
  auto in_container = read_in(c1, "net.ipv4.ip_forward");
  auto flipped = in_container == "1" ? "0" : "1";
  ASSERT_OK(in_host([&] { return write_sysctl("net.ipv4.ip_forward", flipped); }));
  EXPECT_EQ(read_in(host_, "net.ipv4.ip_forward"), flipped);
  EXPECT_EQ(read_in(c1, "net.ipv4.ip_forward"), in_container) << "each namespace has its own";
  // The bridge does not exist in c1, so neither do its sysctls.
  auto err = run_in_netns(c1, [&]() -> caf::error { return read_sysctl(key).error(); });
  EXPECT_EQ(error_kind(err), errc::not_found) << error_message(err);
}

TEST_F(routes, sysctl_keys_may_use_slashes_for_names_with_dots) {
  auto dotted = prefix_ + ".5";
  ASSERT_OK(in_host([&] { return create_bridge({.name = dotted}); }));
  auto key = "net/ipv4/conf/" + dotted + "/route_localnet";
  ASSERT_OK(in_host([&] { return write_sysctl(key, "1"); }));
  EXPECT_EQ(read_in(host_, key), "1");
}

TEST_F(routes, sysctl_keys_outside_net_are_refused) {
  for (std::string key : {"kernel.hostname", "net/../kernel/hostname", "net..ipv4.ip_forward",
                          "net", "net.", "vm.swappiness", "/net/ipv4/ip_forward"}) {
    auto path = sysctl_path(key);
    ASSERT_FALSE(path) << key;
    EXPECT_EQ(error_kind(path.error()), errc::invalid_argument) << key;
  }
  EXPECT_EQ(*sysctl_path("net.ipv4.conf.berth0.route_localnet"),
            "/proc/sys/net/ipv4/conf/berth0/route_localnet");
}
