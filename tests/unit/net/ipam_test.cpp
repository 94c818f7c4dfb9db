// Tests net/ipam and net/ipam_subnets: libnetwork's address allocation inside a subnet and the
// choice of subnets from the predefined pools, with dockerd's messages.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "net/ipam.hpp"
#include "net/ipam_subnets.hpp"
#include "tests/unit/net/expect_error.hpp"

using namespace berth;
using namespace berth::net;
using berth::net::testing::expect_error;
using json = nlohmann::json;

namespace {

ipv4_address ip(const char* text) {
  auto a = ipv4_address::parse(text);
  EXPECT_TRUE(a) << text;
  return a.value_or(ipv4_address{});
}

ipv4_cidr cidr(const char* text) {
  auto c = ipv4_cidr::parse(text);
  EXPECT_TRUE(c) << text;
  return c.value_or(ipv4_cidr{});
}

ipam_config config(const char* subnet, const char* range = nullptr, const char* gateway = nullptr,
                   std::map<std::string, ipv4_address> aux = {}) {
  ipam_config c{cidr(subnet), std::nullopt, std::nullopt, std::move(aux)};
  if (range) c.ip_range = cidr(range);
  if (gateway) c.gateway = ip(gateway);
  return c;
}

// --- creation: gateway and auxiliary addresses ---------------------------------------------

struct create_case {
  const char* what;
  ipam_config config;
  bool allocate_gateway;
  const char* gateway; // nullptr: none expected
  std::optional<errc> kind;
  std::string message;
};

TEST(ipam_pool, creation_reserves_gateway_and_auxiliary_addresses_like_libnetwork) {
  const std::vector<create_case> cases{
      {"first usable address", config("172.18.0.0/16"), true, "172.18.0.1", {}, ""},
      {"the ip-range's first address, not its network's + 1",
       config("10.0.0.0/16", "10.0.5.0/24"),
       true,
       "10.0.5.0",
       {},
       ""},
      {"ip-range equal to the subnet",
       config("10.0.0.0/24", "10.0.0.0/24"),
       true,
       "10.0.0.1",
       {},
       ""},
      {"the user's gateway",
       config("10.0.0.0/24", nullptr, "10.0.0.254"),
       true,
       "10.0.0.254",
       {},
       ""},
      {"user gateway outside the ip-range",
       config("10.0.0.0/16", "10.0.5.0/24", "10.0.9.9"),
       true,
       "10.0.9.9",
       {},
       ""},
      {"no gateway wanted", config("10.0.0.0/24"), false, nullptr, {}, ""},
      {"a user gateway even when none is wanted",
       config("10.0.0.0/24", nullptr, "10.0.0.7"),
       false,
       "10.0.0.7",
       {},
       ""},
      {"/31 has no network or broadcast reservation",
       config("10.0.0.0/31"),
       true,
       "10.0.0.0",
       {},
       ""},
      {"/32 holds just the gateway", config("10.0.0.7/32"), true, "10.0.0.7", {}, ""},
      {"gateway on the network address", config("10.0.0.0/24", nullptr, "10.0.0.0"), true, nullptr,
       errc::internal, "failed to allocate gateway (10.0.0.0): Address already in use"},
      {"gateway on the broadcast address", config("10.0.0.0/24", nullptr, "10.0.0.255"), true,
       nullptr, errc::internal, "failed to allocate gateway (10.0.0.255): Address already in use"},
      {"gateway outside the subnet", config("10.0.0.0/24", nullptr, "10.0.1.1"), true, nullptr,
       errc::internal, "failed to allocate gateway (10.0.1.1): requested address is out of range"},
      {"no room for a gateway in the ip-range", config("10.0.0.0/24", "10.0.0.255/32"), true,
       nullptr, errc::internal,
       "failed to allocate gateway (): no available addresses on this pool"},
      {"auxiliary outside the subnet",
       config("10.0.0.0/24", nullptr, nullptr, {{"a", ip("10.1.0.1")}}), true, nullptr,
       errc::forbidden,
       "auxiliary address: (a:10.1.0.1) must belong to the master pool: 10.0.0.0/24"},
      {"auxiliary on the gateway", config("10.0.0.0/24", nullptr, nullptr, {{"a", ip("10.0.0.1")}}),
       true, nullptr, errc::internal,
       "failed to allocate secondary ip address (a:10.0.0.1): Address already in use"},
      {"auxiliary on the network address",
       config("10.0.0.0/24", nullptr, nullptr, {{"host", ip("10.0.0.0")}}), true, nullptr,
       errc::internal,
       "failed to allocate secondary ip address (host:10.0.0.0): Address already in use"},
      {"two auxiliaries on one address (name order)",
       config("10.0.0.0/24", nullptr, nullptr, {{"b", ip("10.0.0.9")}, {"a", ip("10.0.0.9")}}),
       true, nullptr, errc::internal,
       "failed to allocate secondary ip address (b:10.0.0.9): Address already in use"},
      {"auxiliaries before the gateway is chosen do not move it",
       config("10.0.0.0/24", nullptr, nullptr, {{"router", ip("10.0.0.2")}}),
       true,
       "10.0.0.1",
       {},
       ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto pool = ipam_pool::create(c.config, c.allocate_gateway);
    if (c.kind) {
      expect_error(pool, *c.kind, c.message);
      continue;
    }
    ASSERT_TRUE(pool) << error_message(pool.error());
    if (c.gateway) {
      ASSERT_TRUE(pool->gateway());
      EXPECT_EQ(pool->gateway()->to_string(), c.gateway);
      EXPECT_TRUE(pool->in_use(*pool->gateway()));
    } else {
      EXPECT_FALSE(pool->gateway());
    }
    for (const auto& [name, a] : c.config.aux_addresses)
      EXPECT_TRUE(pool->in_use(a)) << name;
    EXPECT_TRUE(pool->allocated().empty());
  }
}

// --- allocation sequences ------------------------------------------------------------------

/// One step: "alloc", "pref <ip>" or "release <ip>", and what it gives: an address, "ok", or
/// "error <message>".
struct step {
  std::string op;
  std::string expect;
};

void run_steps(ipam_pool& pool, const std::vector<step>& steps) {
  for (size_t i = 0; i < steps.size(); ++i) {
    const auto& s = steps[i];
    SCOPED_TRACE("step " + std::to_string(i) + ": " + s.op);
    std::string got;
    if (s.op == "alloc") {
      auto a = pool.allocate();
      got = a ? a->to_string() : "error " + error_message(a.error());
    } else if (s.op.rfind("pref ", 0) == 0) {
      auto a = pool.allocate(ip(s.op.substr(5).c_str()));
      got = a ? a->to_string() : "error " + error_message(a.error());
    } else if (s.op.rfind("release ", 0) == 0) {
      auto err = pool.release(ip(s.op.substr(8).c_str()));
      got = err ? "error " + error_message(err) : "ok";
    } else {
      FAIL() << "bad step";
    }
    EXPECT_EQ(got, s.expect);
  }
}

TEST(ipam_pool, allocates_the_lowest_free_address_and_reuses_released_ones) {
  auto pool = ipam_pool::create(config("172.18.0.0/16"));
  ASSERT_TRUE(pool);
  run_steps(*pool, {
                       {"alloc", "172.18.0.2"},
                       {"alloc", "172.18.0.3"},
                       {"alloc", "172.18.0.4"},
                       {"release 172.18.0.3", "ok"},
                       {"alloc", "172.18.0.3"}, // not serial: libnetwork passes no serial option
                       {"alloc", "172.18.0.5"},
                       {"release 172.18.0.3", "ok"},
                       {"release 172.18.0.3", "ok"}, // releasing a free address is fine
                       {"pref 172.18.200.1", "172.18.200.1"},
                       {"alloc", "172.18.0.3"},
                       {"pref 172.18.0.1", "error Address already in use"},
                       {"pref 172.18.0.0", "error Address already in use"},
                       {"pref 172.18.255.255", "error Address already in use"},
                       {"pref 172.19.0.1", "error requested address is out of range"},
                       {"release 172.19.0.1", "error requested address is out of range"},
                       {"release 172.18.0.0", "ok"}, // the network address stays reserved
                       {"pref 172.18.0.0", "error Address already in use"},
                   });
  std::vector<std::string> allocated;
  for (auto a : pool->allocated())
    allocated.push_back(a.to_string());
  EXPECT_EQ(allocated, (std::vector<std::string>{"172.18.0.2", "172.18.0.3", "172.18.0.4",
                                                 "172.18.0.5", "172.18.200.1"}));
}

TEST(ipam_pool, ip_range_bounds_automatic_allocation_but_not_preferred_addresses) {
  // libnetwork's TestRequestReleaseAddressFromSubPool: the range's own first and last
  // addresses are handed out too.
  auto pool = ipam_pool::create(config("10.2.0.0/16", "10.2.2.0/24"), false);
  ASSERT_TRUE(pool);
  run_steps(*pool, {
                       {"pref 10.2.2.1", "10.2.2.1"},
                       {"alloc", "10.2.2.0"},
                       {"alloc", "10.2.2.2"},
                       {"release 10.2.2.0", "ok"},
                       {"alloc", "10.2.2.0"},
                       {"release 10.2.2.1", "ok"},
                       {"alloc", "10.2.2.1"},
                       {"pref 10.2.9.9", "10.2.9.9"}, // in the subnet, outside the range: allowed
                       {"pref 10.3.0.1", "error requested address is out of range"},
                   });
}

TEST(ipam_pool, an_exhausted_range_reports_no_available_addresses) {
  auto pool = ipam_pool::create(config("172.28.0.0/16", "172.28.30.0/24"), false);
  ASSERT_TRUE(pool);
  std::string last;
  for (int i = 0; i < 256; ++i) {
    auto a = pool->allocate();
    ASSERT_TRUE(a) << i;
    last = a->to_string();
  }
  EXPECT_EQ(last, "172.28.30.255");
  expect_error(pool->allocate(), errc::unavailable, "no available addresses on this pool");
  ASSERT_FALSE(pool->release(ip("172.28.30.97")));
  EXPECT_EQ(pool->allocate()->to_string(), "172.28.30.97");
}

TEST(ipam_pool, small_subnets) {
  auto p30 = ipam_pool::create(config("10.0.0.0/30"));
  ASSERT_TRUE(p30);
  run_steps(*p30, {{"alloc", "10.0.0.2"}, {"alloc", "error no available addresses on this pool"}});
  auto p31 = ipam_pool::create(config("10.0.0.0/31"));
  ASSERT_TRUE(p31);
  run_steps(*p31, {{"alloc", "10.0.0.1"}, {"alloc", "error no available addresses on this pool"}});
  auto p32 = ipam_pool::create(config("10.0.0.7/32"));
  ASSERT_TRUE(p32);
  run_steps(*p32, {{"alloc", "error no available addresses on this pool"},
                   {"release 10.0.0.7", "ok"},
                   {"alloc", "10.0.0.7"}});
}

TEST(ipam_pool, auxiliary_addresses_are_skipped) {
  auto pool = ipam_pool::create(
      config("10.0.0.0/24", nullptr, nullptr, {{"a", ip("10.0.0.2")}, {"b", ip("10.0.0.3")}}));
  ASSERT_TRUE(pool);
  run_steps(*pool, {{"alloc", "10.0.0.4"}, {"pref 10.0.0.3", "error Address already in use"}});
  EXPECT_EQ(pool->allocated(), std::vector<ipv4_address>{ip("10.0.0.4")});
}

// --- persistence -----------------------------------------------------------------------------

TEST(ipam_pool, json_round_trip_keeps_configuration_gateway_and_allocations) {
  auto original = ipam_pool::create(
      config("10.5.0.0/16", "10.5.1.0/24", nullptr, {{"router", ip("10.5.1.9")}}));
  ASSERT_TRUE(original);
  ASSERT_TRUE(original->allocate());
  ASSERT_TRUE(original->allocate(ip("10.5.200.1")));
  auto j = original->to_json();
  EXPECT_EQ(j, json::parse(R"({
    "Config": {"Subnet": "10.5.0.0/16", "IPRange": "10.5.1.0/24",
               "AuxiliaryAddresses": {"router": "10.5.1.9"}},
    "Gateway": "10.5.1.0",
    "Allocated": ["10.5.1.1", "10.5.200.1"]})"));
  auto restored = ipam_pool::from_json(j);
  ASSERT_TRUE(restored) << error_message(restored.error());
  EXPECT_EQ(restored->config(), original->config());
  EXPECT_EQ(restored->gateway(), original->gateway());
  EXPECT_EQ(restored->allocated(), original->allocated());
  EXPECT_EQ(restored->to_json(), j);
  EXPECT_EQ(restored->allocate()->to_string(), "10.5.1.2");

  auto user_gateway = ipam_pool::create(config("10.6.0.0/24", nullptr, "10.6.0.254"));
  ASSERT_TRUE(user_gateway);
  auto back = ipam_pool::from_json(user_gateway->to_json());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->config(), user_gateway->config());
  EXPECT_EQ(back->allocate()->to_string(), "10.6.0.1");

  auto no_gateway = ipam_pool::create(config("10.7.0.0/24"), false);
  ASSERT_TRUE(no_gateway);
  auto back2 = ipam_pool::from_json(no_gateway->to_json());
  ASSERT_TRUE(back2);
  EXPECT_FALSE(back2->gateway());
  EXPECT_EQ(back2->allocate()->to_string(), "10.7.0.1");
}

TEST(ipam_pool, corrupt_json_is_an_internal_error) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"[]", "invalid IPAM state: not an object"},
      {R"({})", "invalid IPAM state: config is not an object"},
      {R"({"Config": {"Subnet": "10.0.0.1/24"}})", "invalid IPAM state: bad subnet"},
      {R"({"Config": {"Subnet": 5}})", "invalid IPAM state: bad subnet"},
      {R"({"Config": {"Subnet": "10.0.0.0/24", "IPRange": "10.1.0.0/24"}})",
       "invalid IPAM state: bad ip range"},
      {R"({"Config": {"Subnet": "10.0.0.0/24", "Gateway": "x"}})",
       "invalid IPAM state: bad gateway"},
      {R"({"Config": {"Subnet": "10.0.0.0/24", "AuxiliaryAddresses": {"a": 1}}})",
       "invalid IPAM state: bad auxiliary address a"},
      {R"({"Config": {"Subnet": "10.0.0.0/24", "Gateway": "10.0.0.1"}, "Gateway": "10.0.0.2"})",
       "invalid IPAM state: gateway mismatch"},
      {R"({"Config": {"Subnet": "10.0.0.0/24"}, "Gateway": "10.1.0.1"})",
       "invalid IPAM state: failed to allocate gateway (10.1.0.1): requested address is out of "
       "range"},
      {R"({"Config": {"Subnet": "10.0.0.0/24"}, "Gateway": "10.0.0.1", "Allocated": ["10.0.0.1"]})",
       "invalid IPAM state: bad allocated address \"10.0.0.1\""},
      {R"({"Config": {"Subnet": "10.0.0.0/24"}, "Allocated": ["10.9.0.1"]})",
       "invalid IPAM state: bad allocated address \"10.9.0.1\""},
      {R"({"Config": {"Subnet": "10.0.0.0/24"}, "Allocated": "10.0.0.2"})",
       "invalid IPAM state: bad allocated list"},
  };
  for (const auto& [text, message] : cases) {
    SCOPED_TRACE(text);
    expect_error(ipam_pool::from_json(json::parse(text)), errc::internal, message);
  }
}

// --- endpoint addresses over a network's pools ---------------------------------------------

TEST(ipam_endpoint, tries_each_pool_and_reports_like_libnetwork) {
  std::vector<ipam_pool> pools;
  pools.push_back(*ipam_pool::create(config("10.0.0.0/30"))); // room for one container
  pools.push_back(*ipam_pool::create(config("10.1.0.0/24")));
  auto a = allocate_endpoint_address(pools, std::nullopt, "net", "abc");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->to_string(), "10.0.0.2/30");
  auto b = allocate_endpoint_address(pools, std::nullopt, "net", "abc");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->to_string(), "10.1.0.2/24");
  auto c = allocate_endpoint_address(pools, ip("10.1.0.77"), "net", "abc");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->to_string(), "10.1.0.77/24");
  expect_error(allocate_endpoint_address(pools, ip("10.1.0.77"), "net", "abc"), errc::forbidden,
               "Address already in use");
  expect_error(allocate_endpoint_address(pools, ip("10.0.0.2"), "net", "abc"), errc::forbidden,
               "Address already in use");
  expect_error(allocate_endpoint_address(pools, ip("10.9.0.5"), "net", "abc"),
               errc::invalid_argument,
               "invalid address 10.9.0.5: It does not belong to any of this network's subnets");

  std::vector<ipam_pool> full;
  full.push_back(*ipam_pool::create(config("10.0.0.0/30")));
  ASSERT_TRUE(full[0].allocate());
  expect_error(allocate_endpoint_address(full, std::nullopt, "mynet", "0123abc"), errc::internal,
               "no available IPv4 addresses on this network's address pools: mynet (0123abc)");
  std::vector<ipam_pool> none;
  expect_error(allocate_endpoint_address(none, std::nullopt, "n", "i"), errc::internal,
               "no available IPv4 addresses on this network's address pools: n (i)");
}

// --- predefined pools and subnet choice ------------------------------------------------------

TEST(ipam_subnets, defaults_are_dockerds) {
  std::vector<std::string> shown;
  for (const auto& p : default_local_address_pools())
    shown.push_back(p.base.to_string() + " /" + std::to_string(p.size));
  EXPECT_EQ(shown,
            (std::vector<std::string>{"172.17.0.0/16 /16", "172.18.0.0/16 /16", "172.19.0.0/16 /16",
                                      "172.20.0.0/14 /16", "172.24.0.0/14 /16", "172.28.0.0/14 /16",
                                      "192.168.0.0/16 /20"}));
}

TEST(ipam_subnets, configured_pools_replace_the_defaults) {
  auto none = local_address_pools({});
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, default_local_address_pools());
  auto pools = local_address_pools({{"10.10.0.0/16", 24}, {"10.20.5.5/16", 24}});
  ASSERT_TRUE(pools);
  EXPECT_EQ(*pools,
            (std::vector<predefined_pool>{{cidr("10.10.0.0/16"), 24}, {cidr("10.20.0.0/16"), 24}}));
  expect_error(local_address_pools({{"10.10.0.0/16", 24}, {"10.0.0.0/24", 16}}),
               errc::invalid_argument,
               "could not construct local address space: network at index 1 (&{10.0.0.0/24 16}) "
               "has a smaller prefix (/24) than the target size of that pool (/16)");
  expect_error(local_address_pools({{"bogus", 24}}), errc::invalid_argument,
               "could not construct local address space: network at index 0 (&{bogus 24}) is not "
               "in canonical form");
  expect_error(local_address_pools({{"10.0.0.0/8", 0}}), errc::invalid_argument,
               "could not construct local address space: network at index 0 (&{10.0.0.0/8 0}) is "
               "not in canonical form");
}

struct pick_case {
  const char* what;
  std::vector<predefined_pool> pools;
  std::vector<const char*> taken;
  const char* expect; // nullptr: exhausted
};

std::vector<predefined_pool> pools(std::vector<std::pair<const char*, int>> list) {
  std::vector<predefined_pool> out;
  for (auto [base, size] : list)
    out.push_back({cidr(base), size});
  return out;
}

TEST(ipam_subnets, picks_the_first_free_subnet_like_libnetwork) {
  auto defaults = default_local_address_pools();
  const std::vector<pick_case> cases{
      {"nothing taken", defaults, {}, "172.17.0.0/16"},
      {"the default bridge exists", defaults, {"172.17.0.0/16"}, "172.18.0.0/16"},
      {"into the /14 pools",
       defaults,
       {"172.17.0.0/16", "172.18.0.0/16", "172.19.0.0/16"},
       "172.20.0.0/16"},
      {"a gap is reused", defaults, {"172.17.0.0/16", "172.19.0.0/16"}, "172.18.0.0/16"},
      {"a host route inside a candidate",
       defaults,
       {"172.17.0.0/16", "172.18.5.0/24"},
       "172.19.0.0/16"},
      {"a nameserver address", defaults, {"172.17.0.1/32"}, "172.18.0.0/16"},
      {"a big route over several pools", defaults, {"172.16.0.0/12"}, "192.168.0.0/20"},
      {"192.168 in /20s",
       defaults,
       {"172.16.0.0/12", "192.168.0.0/20", "192.168.17.0/24"},
       "192.168.32.0/20"},
      {"everything taken", defaults, {"172.16.0.0/12", "192.168.0.0/16"}, nullptr},
      {"unsorted taken list",
       defaults,
       {"172.19.0.0/16", "172.17.0.0/16", "172.18.0.0/16"},
       "172.20.0.0/16"},
      {"unrelated taken prefixes", defaults, {"10.0.0.0/8", "200.1.2.0/24"}, "172.17.0.0/16"},
      {"no pools at all", {}, {}, nullptr},
      // libnetwork's TestDynamicPoolAllocation (allocated and reserved merged):
      {"first allocated overlaps at the end of first pool",
       pools({{"192.168.0.0/16", 24}}),
       {"192.168.255.0/24"},
       "192.168.0.0/24"},
      {"first reserved bigger than first allocated",
       pools({{"10.0.0.0/8", 24}, {"192.168.0.0/16", 24}}),
       {"10.0.0.0/8", "10.0.0.0/7"},
       "192.168.0.0/24"},
      {"first pool fully overlapped, next overlapped in the middle",
       pools({{"10.20.0.0/16", 24}, {"192.168.0.0/16", 24}}),
       {"10.0.0.0/8", "192.168.128.0/24"},
       "192.168.0.0/24"},
      {"next overlapped at the beginning and in the middle",
       pools({{"10.20.0.0/16", 24}, {"192.168.0.0/16", 24}}),
       {"10.0.0.0/8", "192.168.0.0/24", "192.168.128.0/24"},
       "192.168.1.0/24"},
      {"first pool fully overlapped by smaller prefixes",
       pools({{"10.20.0.0/22", 24}, {"192.168.0.0/16", 24}}),
       {"10.20.0.0/24", "10.20.1.0/24", "10.20.2.0/24", "192.168.128.0/24", "10.20.3.0/24"},
       "192.168.0.0/24"},
      {"next predefined before reserved",
       pools({{"10.20.0.0/16", 24}, {"192.168.0.0/16", 24}}),
       {"10.20.0.0/17", "10.20.128.0/17", "200.1.2.0/24"},
       "192.168.0.0/24"},
      {"reserved equal to the last allocated",
       pools({{"10.10.0.0/22", 24}, {"192.168.0.0/16", 24}}),
       {"10.10.0.0/24", "10.10.1.0/24", "10.10.2.0/24", "10.10.3.0/24", "10.10.3.0/24"},
       "192.168.0.0/24"},
      {"partial overlap by allocations of different sizes",
       pools({{"192.168.0.0/16", 24}}),
       {"192.168.0.0/24", "192.168.1.0/24", "192.168.2.0/23", "192.168.4.3/30"},
       "192.168.5.0/24"},
      {"partial overlap at the start, not enough space left",
       pools({{"10.0.0.0/31", 31}, {"192.168.0.0/16", 24}}),
       {"10.0.0.0/32", "100.0.0.0/32", "200.0.0.0/32"},
       "192.168.0.0/24"},
      {"allocations and reserved of different sizes",
       pools({{"192.168.0.0/16", 24}}),
       {"192.168.0.0/24", "192.168.1.0/24", "192.168.2.3/30", "192.168.2.4/30", "192.168.3.0/30",
        "192.168.4.0/23"},
       "192.168.6.0/24"},
      {"same prefix allocated and reserved",
       pools({{"192.168.0.0/16", 24}}),
       {"192.168.0.0/24", "192.168.0.0/24"},
       "192.168.1.0/24"},
      {"two predefined",
       pools({{"10.0.0.0/8", 24}, {"192.168.0.0/16", 24}}),
       {"10.0.0.0/24", "192.168.0.0/24"},
       "10.0.1.0/24"},
      {"overlapping predefined: longer ones dropped",
       pools(
           {{"10.0.0.0/8", 24}, {"10.0.0.0/16", 24}, {"10.10.0.0/16", 24}, {"192.168.0.0/16", 24}}),
       {"10.0.0.0/8"},
       "192.168.0.0/24"},
      {"pools are taken in address order, not configuration order",
       pools({{"192.168.0.0/16", 24}, {"10.0.0.0/8", 24}}),
       {},
       "10.0.0.0/24"},
      {"partial overlap at the beginning, single predefined",
       pools({{"172.16.0.0/15", 16}}),
       {"172.16.0.0/16"},
       "172.17.0.0/16"},
      {"no space left at the end, next pool not subnetted yet",
       pools({{"172.16.0.0/15", 16}, {"192.168.0.0/16", 24}}),
       {"172.16.0.0/16", "172.17.0.0/17"},
       "192.168.0.0/24"},
      {"no space left at the end, no more predefined",
       pools({{"172.16.0.0/15", 16}}),
       {"172.16.0.0/16", "172.17.0.0/17"},
       nullptr},
      {"extra allocated, no pool left",
       pools({{"172.16.0.0/15", 16}}),
       {"172.16.0.0/16", "172.17.0.0/16", "192.168.0.0/24"},
       nullptr},
      {"predefined fully allocated",
       pools({{"172.16.0.0/15", 16}, {"192.168.0.0/23", 24}}),
       {"172.16.0.0/16", "172.17.0.0/16", "192.168.0.0/24", "192.168.1.0/24"},
       nullptr},
      {"the last block of the address space",
       pools({{"255.255.255.0/24", 25}}),
       {"255.255.255.0/25"},
       "255.255.255.128/25"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    std::vector<ipv4_cidr> taken;
    for (auto t : c.taken)
      taken.push_back(cidr(t));
    auto got = pick_subnet(c.pools, taken);
    if (!c.expect) {
      expect_error(got, errc::invalid_argument,
                   "all predefined address pools have been fully subnetted");
      continue;
    }
    ASSERT_TRUE(got) << error_message(got.error());
    EXPECT_EQ(got->to_string(), c.expect);
  }
}

TEST(ipam_subnets, thirty_one_networks_fill_the_172_pools_then_192_168) {
  std::vector<ipv4_cidr> taken;
  for (int i = 0; i < 15; ++i) {
    auto s = pick_subnet(default_local_address_pools(), taken);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->to_string(), "172." + std::to_string(17 + i) + ".0.0/16");
    taken.push_back(*s);
  }
  for (int i = 0; i < 16; ++i) {
    auto s = pick_subnet(default_local_address_pools(), taken);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->to_string(), "192.168." + std::to_string(16 * i) + ".0/20");
    taken.push_back(*s);
  }
  expect_error(pick_subnet(default_local_address_pools(), taken), errc::invalid_argument,
               "all predefined address pools have been fully subnetted");
}

} // namespace
