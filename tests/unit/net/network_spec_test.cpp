// Tests net/network_spec*: POST /networks/create decoding and checks in dockerd's order with
// its messages, the network record's persistence and inspect rendering, bridge options, and
// the checks of a container's static addresses.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "net/network_spec.hpp"
#include "tests/unit/net/expect_error.hpp"

using namespace berth;
using namespace berth::net;
using berth::net::testing::expect_error;
using json = nlohmann::json;

namespace {

const std::string new_id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string bridge_id(64, 'b');
const std::string front_id(64, 'f');

ipv4_cidr cidr(const char* text) {
  return *ipv4_cidr::parse(text);
}

/// The daemon's default "bridge" network (dynamic 172.17.0.0/16) and a user network "front"
/// (10.10.0.0/16, ip-range 10.10.1.0/24).
std::vector<network_record> existing_networks() {
  network_record bridge;
  bridge.id = bridge_id;
  bridge.name = "bridge";
  bridge.ipv4_pools = {{cidr("172.17.0.0/16"), ipv4_address::parse("172.17.0.1")}};
  bridge.options = {{"com.docker.network.bridge.default_bridge", "true"},
                    {"com.docker.network.bridge.name", "docker0"}};
  bridge.bridge_name = "docker0";
  network_record front;
  front.id = front_id;
  front.name = "front";
  front.ipam_configs = {{"10.10.0.0/16", "10.10.1.0/24", "", {}}};
  front.ipv4_pools = {{cidr("10.10.0.0/16"), ipv4_address::parse("10.10.1.0")}};
  front.bridge_name = "br-ffffffffffff";
  network_record host;
  host.id = std::string(64, 'h');
  host.name = "host";
  host.driver = "host";
  return {bridge, front, host};
}

network_create_context context() {
  network_create_context ctx;
  ctx.id = new_id;
  ctx.created = 1715000000123456789;
  ctx.existing = existing_networks();
  return ctx;
}

caf::expected<network_plan> plan(const json& body, const network_create_context& ctx = context()) {
  auto request = parse_network_create(body);
  if (!request) return request.error();
  return plan_network_create(*request, ctx);
}

/// What the docker 28 CLI sends for `docker network create <name>` (EnableIPv4/EnableIPv6 only
/// with --ipv4/--ipv6).
json cli_body(const std::string& name) {
  return {{"Name", name},
          {"Driver", "bridge"},
          {"Scope", ""},
          {"IPAM", {{"Driver", "default"}, {"Options", json::object()}, {"Config", json::array()}}},
          {"Internal", false},
          {"Attachable", false},
          {"Ingress", false},
          {"ConfigOnly", false},
          {"ConfigFrom", nullptr},
          {"Options", json::object()},
          {"Labels", json::object()}};
}

json with_configs(const std::string& name, json configs) {
  auto body = cli_body(name);
  body["IPAM"]["Config"] = std::move(configs);
  return body;
}

json with_options(const std::string& name, json options) {
  auto body = cli_body(name);
  body["Options"] = std::move(options);
  return body;
}

// --- decoding ------------------------------------------------------------------------------

TEST(network_create_parse, reads_the_cli_body) {
  auto body = with_configs("web", json::array({{{"Subnet", "10.5.0.0/16"},
                                                {"IPRange", "10.5.1.0/24"},
                                                {"Gateway", "10.5.0.254"},
                                                {"AuxiliaryAddresses", {{"a", "10.5.0.9"}}}}}));
  body["Labels"] = {{"team", "x"}};
  body["Options"] = {{"com.docker.network.driver.mtu", "1400"}};
  body["Attachable"] = true;
  auto r = parse_network_create(body);
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(r->name, "web");
  EXPECT_EQ(r->driver, "bridge");
  EXPECT_FALSE(r->enable_ipv4); // sent only with --ipv4/--ipv6
  EXPECT_FALSE(r->enable_ipv6);
  EXPECT_TRUE(r->has_ipam);
  EXPECT_EQ(r->ipam_driver, "default");
  EXPECT_EQ(r->ipam_options, (std::map<std::string, std::string>{}));
  ASSERT_EQ(r->ipam_configs.size(), 1u);
  EXPECT_EQ(r->ipam_configs[0],
            (ipam_config_spec{"10.5.0.0/16", "10.5.1.0/24", "10.5.0.254", {{"a", "10.5.0.9"}}}));
  EXPECT_TRUE(r->attachable);
  EXPECT_FALSE(r->config_from);
  EXPECT_EQ(r->labels, (std::map<std::string, std::string>{{"team", "x"}}));
  EXPECT_EQ(r->options,
            (std::map<std::string, std::string>{{"com.docker.network.driver.mtu", "1400"}}));
}

TEST(network_create_parse, follows_gos_decoding_rules) {
  auto empty = parse_network_create(json());
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, network_create_request{});

  auto lower = parse_network_create(json::parse(
      R"({"name": "n", "ipam": {"config": [{"subnet": "10.1.0.0/24", "auxiliaryaddresses": {"x": "10.1.0.5"}}]},
          "configfrom": {"network": "cfg"}, "Unknown": [1, 2], "CheckDuplicate": true,
          "EnableIPv4": true})"));
  ASSERT_TRUE(lower) << error_message(lower.error());
  EXPECT_EQ(lower->name, "n");
  ASSERT_EQ(lower->ipam_configs.size(), 1u);
  EXPECT_EQ(lower->ipam_configs[0].subnet, "10.1.0.0/24");
  EXPECT_EQ(lower->ipam_configs[0].aux_addresses.at("x"), "10.1.0.5");
  EXPECT_EQ(lower->config_from, "cfg");
  EXPECT_EQ(lower->check_duplicate, true);
  EXPECT_EQ(lower->enable_ipv4, true);
  EXPECT_FALSE(lower->ipam_options); // absent: nil, rendered null

  auto old_api = parse_network_create(json::parse(R"({"EnableIPv4": false})"), false);
  ASSERT_TRUE(old_api);
  EXPECT_FALSE(old_api->enable_ipv4); // EnableIPv4 arrived with API 1.48

  auto null_element = parse_network_create(json::parse(R"({"IPAM": {"Config": [null]}})"));
  ASSERT_TRUE(null_element);
  EXPECT_EQ(null_element->ipam_configs, std::vector<ipam_config_spec>{ipam_config_spec{}});
}

TEST(network_create_parse, refuses_wrong_types_with_gos_messages) {
  const std::string prefix = "invalid JSON: json: cannot unmarshal ";
  const std::vector<std::pair<const char*, std::string>> cases{
      {R"([])", "array into Go value of type network.CreateRequest"},
      {R"("x")", "string into Go value of type network.CreateRequest"},
      {R"({"Name": ["n"]})", "array into Go struct field CreateRequest.Name of type string"},
      {R"({"Internal": "yes"})", "string into Go struct field CreateRequest.Internal of type bool"},
      {R"({"Attachable": 1})",
       "number 1 into Go struct field CreateRequest.Attachable of type bool"},
      {R"({"EnableIPv6": "true"})",
       "string into Go struct field CreateRequest.EnableIPv6 of type bool"},
      {R"({"CheckDuplicate": {}})",
       "object into Go struct field CreateRequest.CheckDuplicate of type bool"},
      {R"({"IPAM": []})", "array into Go struct field CreateRequest.IPAM of type network.IPAM"},
      {R"({"IPAM": {"Driver": true}})",
       "bool into Go struct field IPAM.IPAM.Driver of type string"},
      {R"({"IPAM": {"Config": {}}})",
       "object into Go struct field IPAM.IPAM.Config of type []network.IPAMConfig"},
      {R"({"IPAM": {"Config": ["10.0.0.0/8"]}})",
       "string into Go struct field IPAM.IPAM.Config of type network.IPAMConfig"},
      {R"({"IPAM": {"Config": [{"Subnet": true}]}})",
       "bool into Go struct field IPAMConfig.IPAM.Config.Subnet of type string"},
      {R"({"IPAM": {"Config": [{"Gateway": []}]}})",
       "array into Go struct field IPAMConfig.IPAM.Config.Gateway of type string"},
      {R"({"IPAM": {"Config": [{"AuxiliaryAddresses": []}]}})",
       "array into Go struct field IPAMConfig.IPAM.Config.AuxiliaryAddresses of type "
       "map[string]string"},
      {R"({"IPAM": {"Options": {"a": false}}})",
       "bool into Go struct field IPAM.IPAM.Options of type string"},
      {R"({"ConfigFrom": "x"})",
       "string into Go struct field CreateRequest.ConfigFrom of type network.ConfigReference"},
      {R"({"ConfigFrom": {"Network": false}})",
       "bool into Go struct field ConfigReference.ConfigFrom.Network of type string"},
      {R"({"Options": []})",
       "array into Go struct field CreateRequest.Options of type map[string]string"},
      {R"({"Labels": {"a": true}})",
       "bool into Go struct field CreateRequest.Labels of type string"},
  };
  for (const auto& [body, message] : cases) {
    SCOPED_TRACE(body);
    expect_error(parse_network_create(json::parse(body)), errc::invalid_argument, prefix + message);
  }
}

// --- checks, in dockerd's order --------------------------------------------------------------

struct refusal {
  const char* what;
  json body;
  errc kind;
  std::string message;
};

std::string conflict_with(const std::string& bridge, const std::string& other_id,
                          const std::string& other_bridge, const std::string& why) {
  return "cannot create network " + new_id + " (" + bridge + "): conflicts with network " +
         other_id + " (" + other_bridge + "): " + why;
}

TEST(network_create_plan, refuses_requests_with_dockerds_messages) {
  const std::string br = "br-0123456789ab";
  auto configs = [](json c) { return with_configs("n", std::move(c)); };
  auto one = [&](json c) { return configs(json::array({std::move(c)})); };
  auto invalid_config = [](const std::string& s) { return "invalid network config:\n" + s; };
  const std::vector<refusal> cases{
      // daemon.createNetwork
      {"predefined bridge", cli_body("bridge"), errc::forbidden,
       "operation is not permitted on predefined bridge network "},
      {"predefined host", cli_body("host"), errc::forbidden,
       "operation is not permitted on predefined host network "},
      {"predefined none", cli_body("none"), errc::forbidden,
       "operation is not permitted on predefined none network "},
      {"predefined default", cli_body("default"), errc::forbidden,
       "operation is not permitted on predefined default network "},
      {"overlay without swarm",
       {{"Name", "n"}, {"Driver", "overlay"}},
       errc::forbidden,
       "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to "
       "connect this node to swarm and try again."},
      {"enable_ipv4 option", with_options("n", {{"com.docker.network.enable_ipv4", "maybe"}}),
       errc::invalid_argument, "driver-opt \"com.docker.network.enable_ipv4\" is not a valid bool"},
      {"enable_ipv6 option", with_options("n", {{"com.docker.network.enable_ipv6", "yes"}}),
       errc::invalid_argument, "driver-opt \"com.docker.network.enable_ipv6\" is not a valid bool"},
      {"IPv6 enabled",
       {{"Name", "n"}, {"EnableIPv6", true}},
       errc::not_implemented,
       "IPv6 networks are not supported by Berth"},
      {"IPv6 enabled by option", with_options("n", {{"com.docker.network.enable_ipv6", "1"}}),
       errc::not_implemented, "IPv6 networks are not supported by Berth"},
      {"IPv6 subnet", one({{"Subnet", "fd00::/64"}}), errc::not_implemented,
       "IPv6 networks are not supported by Berth"},
      // network.ValidateIPAM
      {"empty subnet", one({{"Gateway", "10.0.0.1"}}), errc::invalid_argument,
       invalid_config("invalid subnet : invalid CIDR block notation")},
      {"no prefix length", one({{"Subnet", "10.0.0.0"}}), errc::invalid_argument,
       invalid_config("invalid subnet 10.0.0.0: invalid CIDR block notation")},
      {"prefix too long", one({{"Subnet", "10.0.0.0/33"}}), errc::invalid_argument,
       invalid_config("invalid subnet 10.0.0.0/33: invalid CIDR block notation")},
      {"leading zero in the address", one({{"Subnet", "010.0.0.0/8"}}), errc::invalid_argument,
       invalid_config("invalid subnet 010.0.0.0/8: invalid CIDR block notation")},
      {"leading zero in the length", one({{"Subnet", "10.0.0.0/08"}}), errc::invalid_argument,
       invalid_config("invalid subnet 10.0.0.0/08: invalid CIDR block notation")},
      {"host bits set", one({{"Subnet", "10.0.0.1/24"}}), errc::invalid_argument,
       invalid_config("invalid subnet 10.0.0.1/24: it should be 10.0.0.0/24")},
      {"bad ip-range", one({{"Subnet", "10.0.0.0/16"}, {"IPRange", "10.0.1.0/24x"}}),
       errc::invalid_argument,
       invalid_config("invalid ip-range 10.0.1.0/24x: invalid CIDR block notation")},
      {"IPv6 ip-range", one({{"Subnet", "10.0.0.0/16"}, {"IPRange", "fd00::/64"}}),
       errc::invalid_argument,
       invalid_config("invalid ip-range fd00::/64: parent subnet is an IPv4 block")},
      {"ip-range bigger than the subnet",
       one({{"Subnet", "10.0.0.0/16"}, {"IPRange", "10.0.0.0/8"}}), errc::invalid_argument,
       invalid_config(
           "invalid ip-range 10.0.0.0/8: CIDR block is bigger than its parent subnet 10.0.0.0/16")},
      {"ip-range with host bits", one({{"Subnet", "10.0.0.0/16"}, {"IPRange", "10.0.1.1/24"}}),
       errc::invalid_argument,
       invalid_config("invalid ip-range 10.0.1.1/24: it should be 10.0.1.0/24")},
      {"ip-range outside", one({{"Subnet", "10.0.0.0/16"}, {"IPRange", "10.1.0.0/24"}}),
       errc::invalid_argument,
       invalid_config(
           "invalid ip-range 10.1.0.0/24: parent subnet 10.0.0.0/16 doesn't contain ip-range")},
      {"ip-range bigger and outside", one({{"Subnet", "10.0.0.0/16"}, {"IPRange", "11.0.0.0/8"}}),
       errc::invalid_argument,
       invalid_config(
           "* invalid ip-range 11.0.0.0/8: CIDR block is bigger than its parent subnet "
           "10.0.0.0/16\n* invalid ip-range 11.0.0.0/8: parent subnet 10.0.0.0/16 doesn't contain "
           "ip-range")},
      {"bad gateway", one({{"Subnet", "10.0.0.0/16"}, {"Gateway", "10.0.0.x"}}),
       errc::invalid_argument, invalid_config("invalid gateway 10.0.0.x: invalid address")},
      {"IPv6 gateway", one({{"Subnet", "10.0.0.0/16"}, {"Gateway", "fd00::1"}}),
       errc::invalid_argument,
       invalid_config("invalid gateway fd00::1: parent subnet is an IPv4 block")},
      {"gateway outside", one({{"Subnet", "10.0.0.0/16"}, {"Gateway", "10.1.0.1"}}),
       errc::invalid_argument,
       invalid_config(
           "invalid gateway 10.1.0.1: parent subnet 10.0.0.0/16 doesn't contain this address")},
      {"auxiliary addresses, by name",
       one({{"Subnet", "10.0.0.0/16"},
            {"AuxiliaryAddresses", {{"b", "10.9.0.1"}, {"a", "bad"}, {"c", "10.0.0.3"}}}}),
       errc::invalid_argument,
       invalid_config("* invalid auxiliary address a: invalid address\n* invalid auxiliary "
                      "address b: parent subnet 10.0.0.0/16 doesn't contain this address")},
      {"every config's problems",
       configs(json::array({{{"Subnet", "10.0.0.1/24"}, {"Gateway", "10.0.1.1"}},
                            {{"Subnet", "bad"}},
                            {{"Subnet", "10.2.0.0/16"}, {"IPRange", "10.2.0.0/24"}}})),
       errc::invalid_argument,
       invalid_config("* invalid subnet 10.0.0.1/24: it should be 10.0.0.0/24\n* invalid gateway "
                      "10.0.1.1: parent subnet 10.0.0.1/24 doesn't contain this address\n* "
                      "invalid subnet bad: invalid CIDR block notation")},
      // libnetwork's NewNetwork
      {"no name", json::object(), errc::invalid_argument, "invalid name: name is empty"},
      {"blank name", cli_body(" \t"), errc::invalid_argument, "invalid name: name is empty"},
      {"name taken", cli_body("front"), errc::conflict, "network with name front already exists"},
      {"config-only",
       {{"Name", "n"}, {"ConfigOnly", true}},
       errc::not_implemented,
       "config-only networks are not supported by Berth"},
      {"config-from",
       {{"Name", "n"}, {"ConfigFrom", {{"Network", "cfg"}}}},
       errc::not_implemented,
       "networks with --config-from are not supported by Berth"},
      {"unknown driver",
       {{"Name", "n"}, {"Driver", "weave"}},
       errc::not_found,
       "plugin \"weave\" not found"},
      {"macvlan",
       {{"Name", "n"}, {"Driver", "macvlan"}},
       errc::not_implemented,
       "network driver \"macvlan\" is not supported by Berth"},
      {"ipvlan",
       {{"Name", "n"}, {"Driver", "ipvlan"}},
       errc::not_implemented,
       "network driver \"ipvlan\" is not supported by Berth"},
      {"ingress",
       {{"Name", "n"}, {"Ingress", true}},
       errc::forbidden,
       "Ingress network can only be global scope network"},
      {"swarm scope",
       {{"Name", "n"}, {"Scope", "swarm"}},
       errc::forbidden,
       "cannot create a swarm scoped network when swarm is not active"},
      {"host driver",
       {{"Name", "n"}, {"Driver", "host"}},
       errc::forbidden,
       "only one instance of \"host\" network is allowed"},
      {"null driver",
       {{"Name", "n"}, {"Driver", "null"}},
       errc::forbidden,
       "only one instance of \"null\" network is allowed"},
      // the bridge driver's options
      {"enable_icc", with_options("n", {{"com.docker.network.bridge.enable_icc", "yes"}}),
       errc::invalid_argument,
       "failed to parse com.docker.network.bridge.enable_icc value: yes (strconv.ParseBool: "
       "parsing \"yes\": invalid syntax)"},
      {"mtu", with_options("n", {{"com.docker.network.driver.mtu", "abc"}}), errc::invalid_argument,
       "failed to parse com.docker.network.driver.mtu value: abc (strconv.Atoi: parsing \"abc\": "
       "invalid syntax)"},
      {"huge mtu", with_options("n", {{"com.docker.network.driver.mtu", "99999999999999999999"}}),
       errc::invalid_argument,
       "failed to parse com.docker.network.driver.mtu value: 99999999999999999999 (strconv.Atoi: "
       "parsing \"99999999999999999999\": value out of range)"},
      {"host binding address",
       with_options("n", {{"com.docker.network.bridge.host_binding_ipv4", "lo"}}),
       errc::invalid_argument,
       "failed to parse com.docker.network.bridge.host_binding_ipv4 value: lo (nil ip)"},
      {"gateway mode",
       with_options("n", {{"com.docker.network.bridge.gateway_mode_ipv4", "bogus"}}),
       errc::invalid_argument,
       "failed to parse com.docker.network.bridge.gateway_mode_ipv4 value: bogus (unknown gateway "
       "mode bogus)"},
      {"isolated, not internal",
       with_options("n", {{"com.docker.network.bridge.gateway_mode_ipv4", "isolated"}}),
       errc::internal, "gateway mode 'isolated' can only be used for an internal network"},
      {"routed", with_options("n", {{"com.docker.network.bridge.gateway_mode_ipv4", "routed"}}),
       errc::not_implemented, "gateway mode \"routed\" is not supported by Berth"},
      // IPAM
      {"IPAM plugin",
       {{"Name", "n"}, {"IPAM", {{"Driver", "infoblox"}}}},
       errc::not_found,
       "plugin \"infoblox\" not found"},
      {"null IPAM with a subnet",
       {{"Name", "n"}, {"IPAM", {{"Driver", "null"}, {"Config", {{{"Subnet", "10.0.0.0/24"}}}}}}},
       errc::invalid_argument,
       "null ipam driver does not handle specific address pool requests"},
      {"null IPAM",
       {{"Name", "n"}, {"IPAM", {{"Driver", "null"}}}},
       errc::invalid_argument,
       "ipv4 pool is empty"},
      {"overlaps a dynamic pool", one({{"Subnet", "172.17.0.0/16"}}), errc::forbidden,
       "invalid pool request: Pool overlaps with other one on this address space"},
      {"inside another network", one({{"Subnet", "172.17.5.0/24"}}), errc::forbidden,
       "invalid pool request: Pool overlaps with other one on this address space"},
      {"same subnet", one({{"Subnet", "10.10.0.0/16"}}), errc::forbidden,
       "invalid pool request: Pool overlaps with other one on this address space"},
      {"same subnet and ip-range", one({{"Subnet", "10.10.0.0/16"}, {"IPRange", "10.10.1.0/24"}}),
       errc::forbidden, "invalid pool request: Pool overlaps with other one on this address space"},
      {"same subnet, another ip-range: the bridge refuses",
       one({{"Subnet", "10.10.0.0/16"}, {"IPRange", "10.10.2.0/24"}}), errc::forbidden,
       conflict_with(br, front_id, "br-ffffffffffff", "networks have overlapping IPv4")},
      {"overlapping subnet with an ip-range: the bridge refuses",
       one({{"Subnet", "10.0.0.0/8"}, {"IPRange", "10.20.0.0/16"}}), errc::forbidden,
       conflict_with(br, front_id, "br-ffffffffffff", "networks have overlapping IPv4")},
      {"overlapping subnets in one request",
       configs(json::array({{{"Subnet", "10.50.0.0/16"}}, {{"Subnet", "10.50.1.0/24"}}})),
       errc::forbidden, "invalid pool request: Pool overlaps with other one on this address space"},
      {"two subnets",
       configs(json::array({{{"Subnet", "10.50.0.0/16"}}, {{"Subnet", "10.51.0.0/16"}}})),
       errc::forbidden, "bridge driver doesn't support multiple subnets"},
      {"gateway on the network address",
       one({{"Subnet", "10.60.0.0/24"}, {"Gateway", "10.60.0.0"}}), errc::internal,
       "failed to allocate gateway (10.60.0.0): Address already in use"},
      {"auxiliary address on the gateway",
       one({{"Subnet", "10.60.0.0/24"}, {"AuxiliaryAddresses", {{"gw", "10.60.0.1"}}}}),
       errc::internal,
       "failed to allocate secondary ip address (gw:10.60.0.1): Address already in use"},
      // the bridge driver's CreateNetwork
      {"IPv4 disabled",
       {{"Name", "n"}, {"EnableIPv4", false}},
       errc::invalid_argument,
       "IPv4 or IPv6 must be enabled"},
      {"IPv4 disabled by option", with_options("n", {{"com.docker.network.enable_ipv4", "false"}}),
       errc::invalid_argument, "IPv4 or IPv6 must be enabled"},
      {"negative MTU", with_options("n", {{"com.docker.network.driver.mtu", "-1"}}),
       errc::invalid_argument, "invalid MTU number: -1"},
      {"bridge name taken", with_options("n", {{"com.docker.network.bridge.name", "docker0"}}),
       errc::forbidden,
       conflict_with("docker0", bridge_id, "docker0", "networks have same bridge name")},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    expect_error(plan(c.body), c.kind, c.message);
  }
}

TEST(network_create_plan, checks_come_in_dockerds_order) {
  // A predefined name beats everything else.
  auto everything = with_options("bridge", {{"com.docker.network.enable_ipv4", "x"}});
  everything["Driver"] = "weave";
  expect_error(plan(everything), errc::forbidden,
               "operation is not permitted on predefined bridge network ");
  // IPAM.Config is checked before the name.
  auto bad_config = with_configs("front", json::array({{{"Subnet", "x"}}}));
  expect_error(plan(bad_config), errc::invalid_argument,
               "invalid network config:\ninvalid subnet x: invalid CIDR block notation");
  // The name before the driver.
  auto taken = cli_body("front");
  taken["Driver"] = "weave";
  expect_error(plan(taken), errc::conflict, "network with name front already exists");
  // Bridge options before IPAM.
  auto options_first = with_configs("n", json::array({{{"Subnet", "172.17.0.0/16"}}}));
  options_first["Options"] = {{"com.docker.network.bridge.enable_icc", "x"}};
  expect_error(plan(options_first), errc::invalid_argument,
               "failed to parse com.docker.network.bridge.enable_icc value: x (strconv.ParseBool: "
               "parsing \"x\": invalid syntax)");
  // The first bad option in key order.
  expect_error(plan(with_options("n", {{"com.docker.network.driver.mtu", "x"},
                                       {"com.docker.network.bridge.enable_icc", "y"}})),
               errc::invalid_argument,
               "failed to parse com.docker.network.bridge.enable_icc value: y (strconv.ParseBool: "
               "parsing \"y\": invalid syntax)");
}

TEST(network_create_plan, exhausted_pools) {
  auto ctx = context();
  ctx.address_pools = {{cidr("10.99.0.0/23"), 24}};
  ctx.reserved = {cidr("10.99.0.0/24")};
  auto first = plan(cli_body("n"), ctx);
  ASSERT_TRUE(first) << error_message(first.error());
  EXPECT_EQ(first->record.ipv4_pools.at(0).subnet.to_string(), "10.99.1.0/24");
  ctx.existing.push_back(first->record);
  expect_error(plan(cli_body("m"), ctx), errc::invalid_argument,
               "all predefined address pools have been fully subnetted");
}

// --- successful plans ----------------------------------------------------------------------

TEST(network_create_plan, a_default_network_gets_the_next_free_pool) {
  auto p = plan(cli_body("web"));
  ASSERT_TRUE(p) << error_message(p.error());
  const auto& r = p->record;
  EXPECT_EQ(r.id, new_id);
  EXPECT_EQ(r.name, "web");
  EXPECT_EQ(r.driver, "bridge");
  EXPECT_EQ(r.scope, "local");
  EXPECT_EQ(r.created, 1715000000123456789);
  EXPECT_TRUE(r.enable_ipv4);
  EXPECT_FALSE(r.enable_ipv6);
  EXPECT_EQ(r.ipam_driver, "default");
  EXPECT_EQ(r.bridge_name, "br-0123456789ab");
  ASSERT_EQ(p->pools.size(), 1u);
  EXPECT_EQ(p->pools[0].subnet().to_string(), "172.18.0.0/16");
  EXPECT_EQ(p->pools[0].gateway()->to_string(), "172.18.0.1");
  EXPECT_EQ(r.ipv4_pools, (std::vector<network_pool_info>{
                              {cidr("172.18.0.0/16"), ipv4_address::parse("172.18.0.1")}}));
  EXPECT_EQ(p->bridge, bridge_options{});
  EXPECT_EQ(network_inspect_json(r, {}), json::parse(R"({
    "Name": "web",
    "Id": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "Created": "2024-05-06T12:53:20.123456789Z",
    "Scope": "local",
    "Driver": "bridge",
    "EnableIPv4": true,
    "EnableIPv6": false,
    "IPAM": {"Driver": "default", "Options": {},
             "Config": [{"Subnet": "172.18.0.0/16", "Gateway": "172.18.0.1"}]},
    "Internal": false,
    "Attachable": false,
    "Ingress": false,
    "ConfigFrom": {"Network": ""},
    "ConfigOnly": false,
    "Containers": {},
    "Options": {},
    "Labels": {}
  })"));
}

TEST(network_create_plan, dynamic_subnets_avoid_host_routes) {
  auto ctx = context();
  ctx.reserved = {cidr("172.18.0.0/16"), cidr("172.19.3.0/24")};
  auto p = plan(cli_body("web"), ctx);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->record.ipv4_pools.at(0).subnet.to_string(), "172.20.0.0/16");
  // A static subnet may sit on a host route: only dynamic choices avoid them, as in libnetwork.
  auto fixed = plan(with_configs("fixed", json::array({{{"Subnet", "172.18.0.0/16"}}})), ctx);
  ASSERT_TRUE(fixed) << error_message(fixed.error());
}

TEST(network_create_plan, a_configured_network_is_rendered_as_configured) {
  auto body = with_configs("db", json::array({{{"Subnet", "10.20.0.0/16"},
                                               {"IPRange", "10.20.5.0/24"},
                                               {"AuxiliaryAddresses", {{"nas", "10.20.0.9"}}}}}));
  body["Labels"] = {{"tier", "db"}};
  body["Attachable"] = true;
  body["Internal"] = true;
  body["Options"] = {{"com.docker.network.driver.mtu", "1400"}, {"my.own", "x"}};
  auto p = plan(body);
  ASSERT_TRUE(p) << error_message(p.error());
  EXPECT_EQ(p->pools.at(0).gateway()->to_string(), "10.20.5.0"); // the ip-range's first address
  EXPECT_TRUE(p->pools.at(0).in_use(*ipv4_address::parse("10.20.0.9")));
  EXPECT_EQ(p->bridge.mtu, 1400);
  std::vector<network_endpoint_info> attached{
      {"c0ffee", "db1", "e1", "02:42:0a:14:05:01", "10.20.5.1/16", ""}};
  EXPECT_EQ(network_inspect_json(p->record, attached), json::parse(R"({
    "Name": "db",
    "Id": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "Created": "2024-05-06T12:53:20.123456789Z",
    "Scope": "local",
    "Driver": "bridge",
    "EnableIPv4": true,
    "EnableIPv6": false,
    "IPAM": {"Driver": "default", "Options": {},
             "Config": [{"Subnet": "10.20.0.0/16", "IPRange": "10.20.5.0/24",
                         "AuxiliaryAddresses": {"nas": "10.20.0.9"}}]},
    "Internal": true,
    "Attachable": true,
    "Ingress": false,
    "ConfigFrom": {"Network": ""},
    "ConfigOnly": false,
    "Containers": {"c0ffee": {"Name": "db1", "EndpointID": "e1", "MacAddress": "02:42:0a:14:05:01",
                              "IPv4Address": "10.20.5.1/16", "IPv6Address": ""}},
    "Options": {"com.docker.network.driver.mtu": "1400", "my.own": "x"},
    "Labels": {"tier": "db"}
  })"));
}

TEST(network_create_plan, options_defaults_and_flags) {
  auto ctx = context();
  ctx.default_network_opts["bridge"] = {{"com.docker.network.driver.mtu", "1400"},
                                        {"com.docker.network.bridge.enable_icc", "false"}};
  auto body = with_options("n", {{"com.docker.network.bridge.enable_icc", "true"},
                                 {"com.docker.network.enable_ipv4", "false"}});
  body["EnableIPv4"] = true; // the field wins, and its option is dropped
  auto p = plan(body, ctx);
  ASSERT_TRUE(p) << error_message(p.error());
  EXPECT_EQ(p->record.options,
            (std::map<std::string, std::string>{{"com.docker.network.bridge.enable_icc", "true"},
                                                {"com.docker.network.driver.mtu", "1400"}}));
  EXPECT_TRUE(p->bridge.enable_icc);
  EXPECT_EQ(p->bridge.mtu, 1400);

  // No IPAM object at all: IPAM.Options renders as null.
  auto bare = plan(json{{"Name", "bare"}, {"Scope", "local"}});
  ASSERT_TRUE(bare);
  EXPECT_TRUE(network_inspect_json(bare->record, {})["IPAM"]["Options"].is_null());

  // An internal network whose bridge gets no address needs no gateway.
  auto inhibited = with_options("quiet", {{"com.docker.network.bridge.inhibit_ipv4", "true"}});
  inhibited["Internal"] = true;
  auto q = plan(inhibited);
  ASSERT_TRUE(q) << error_message(q.error());
  EXPECT_FALSE(q->pools.at(0).gateway());
  EXPECT_EQ(network_inspect_json(q->record, {})["IPAM"]["Config"],
            json::parse(R"([{"Subnet": "172.18.0.0/16"}])"));

  // "nat" is the only gateway mode Berth has, and the one it has anyway.
  auto nat = plan(with_options("nat", {{"com.docker.network.bridge.gateway_mode_ipv4", "nat"}}));
  ASSERT_TRUE(nat);
  EXPECT_EQ(nat->bridge.gateway_mode_ipv4, "nat");
}

TEST(network_create_plan, the_daemon_creates_its_own_bridge_network) {
  auto ctx = context();
  ctx.existing = {};
  ctx.allow_predefined_name = true;
  auto body = with_configs("bridge",
                           json::array({{{"Subnet", "172.17.0.0/16"}, {"Gateway", "172.17.0.1"}}}));
  body["Options"] = {{"com.docker.network.bridge.default_bridge", "true"},
                     {"com.docker.network.bridge.name", "docker0"},
                     {"com.docker.network.bridge.host_binding_ipv4", "0.0.0.0"}};
  auto p = plan(body, ctx);
  ASSERT_TRUE(p) << error_message(p.error());
  EXPECT_EQ(p->record.bridge_name, "docker0");
  EXPECT_TRUE(p->bridge.default_bridge);
  EXPECT_EQ(p->bridge.host_binding_ip, "0.0.0.0");
}

// --- overlap and conflict helpers --------------------------------------------------------------

TEST(network_overlap, follows_libnetworks_address_space) {
  auto existing = existing_networks();
  auto range = [](const char* r) { return std::optional<ipv4_cidr>(cidr(r)); };
  const std::string overlap =
      "invalid pool request: Pool overlaps with other one on this address space";
  expect_error(find_overlap(cidr("172.17.0.0/16"), std::nullopt, existing), errc::forbidden,
               overlap);
  expect_error(find_overlap(cidr("172.16.0.0/12"), std::nullopt, existing), errc::forbidden,
               overlap);
  expect_error(find_overlap(cidr("10.10.0.0/16"), range("10.10.1.0/24"), existing), errc::forbidden,
               overlap);
  EXPECT_FALSE(find_overlap(cidr("10.10.0.0/16"), range("10.10.2.0/24"), existing));
  EXPECT_FALSE(find_overlap(cidr("172.16.0.0/12"), range("172.30.0.0/16"), existing)); // moby#46756
  EXPECT_FALSE(find_overlap(cidr("192.168.0.0/24"), std::nullopt, existing));
  EXPECT_FALSE(find_overlap(cidr("10.10.0.0/16"), std::nullopt, {}));
}

TEST(network_overlap, bridge_conflicts_name_the_networks) {
  auto existing = existing_networks();
  network_record candidate;
  candidate.id = new_id;
  candidate.bridge_name = "br-0123456789ab";
  candidate.ipv4_pools = {{cidr("192.168.0.0/20"), std::nullopt}};
  EXPECT_FALSE(find_bridge_conflict(candidate, existing));
  candidate.ipv4_pools = {{cidr("172.17.128.0/17"), std::nullopt}};
  expect_error(
      find_bridge_conflict(candidate, existing), errc::forbidden,
      conflict_with("br-0123456789ab", bridge_id, "docker0", "networks have overlapping IPv4"));
  candidate.ipv4_pools = {};
  candidate.bridge_name = "br-ffffffffffff";
  expect_error(find_bridge_conflict(candidate, existing), errc::forbidden,
               conflict_with("br-ffffffffffff", front_id, "br-ffffffffffff",
                             "networks have same bridge name"));
}

// --- persistence -----------------------------------------------------------------------------

TEST(network_record, json_round_trip) {
  auto body = with_configs("db", json::array({{{"Subnet", "10.20.0.0/16"},
                                               {"IPRange", "10.20.5.0/24"},
                                               {"Gateway", "10.20.0.1"},
                                               {"AuxiliaryAddresses", {{"nas", "10.20.0.9"}}}}}));
  body["Labels"] = {{"tier", "db"}};
  auto p = plan(body);
  ASSERT_TRUE(p);
  auto j = network_record_to_json(p->record);
  auto back = network_record_from_json(j);
  ASSERT_TRUE(back) << error_message(back.error());
  EXPECT_EQ(*back, p->record);
  auto bare = plan(json{{"Name", "bare"}});
  ASSERT_TRUE(bare);
  auto back2 = network_record_from_json(network_record_to_json(bare->record));
  ASSERT_TRUE(back2);
  EXPECT_EQ(*back2, bare->record);
  EXPECT_FALSE(back2->ipam_options);

  auto broken = j;
  broken["IPv4Pools"][0]["Subnet"] = "nope";
  expect_error(network_record_from_json(broken), errc::internal,
               "invalid network record: bad pool subnet");
  broken = j;
  broken.erase("Name");
  auto err = network_record_from_json(broken);
  ASSERT_FALSE(err);
  EXPECT_EQ(error_kind(err.error()), errc::internal);
  EXPECT_EQ(error_message(err.error()).rfind("invalid network record: ", 0), 0u);
  auto not_object = network_record_from_json(json::array());
  ASSERT_FALSE(not_object);
  EXPECT_EQ(error_kind(not_object.error()), errc::internal);
}

TEST(network_record, inspect_of_a_network_without_addresses_has_null_config) {
  network_record host;
  host.id = std::string(64, 'h');
  host.name = "host";
  host.driver = "host";
  auto j = network_inspect_json(host, {});
  EXPECT_TRUE(j["IPAM"]["Config"].is_null());
  EXPECT_TRUE(j["IPAM"]["Options"].is_null());
  EXPECT_EQ(j["IPAM"]["Driver"], "default");
  EXPECT_EQ(j["Created"], "1970-01-01T00:00:00Z");
  EXPECT_TRUE(is_predefined_network_name("none"));
  EXPECT_FALSE(is_predefined_network_name("front"));
}

// --- bridge options ------------------------------------------------------------------------

TEST(bridge_options, reads_every_known_option) {
  auto b = parse_bridge_options({
      {"com.docker.network.bridge.name", "mybr"},
      {"com.docker.network.bridge.enable_icc", "0"},
      {"com.docker.network.bridge.enable_ip_masquerade", "F"},
      {"com.docker.network.bridge.host_binding_ipv4", "::ffff:127.0.0.1"},
      {"com.docker.network.bridge.default_bridge", "TRUE"},
      {"com.docker.network.bridge.gateway_mode_ipv4", "nat-unprotected"},
      {"com.docker.network.bridge.gateway_mode_ipv6", "routed"},
      {"com.docker.network.bridge.inhibit_ipv4", "t"},
      {"com.docker.network.bridge.trusted_host_interfaces", "eth0::eth1:"},
      {"com.docker.network.driver.mtu", "+1450"},
      {"com.docker.network.container_iface_prefix", "cif"},
      {"com.docker.network.host_ipv4", "192.0.2.10"},
      {"com.docker.network.host_ipv6", "2001:DB8::1"},
      {"com.docker.network.enable_ipv4", "true"},
      {"com.docker.network.enable_ipv6", "false"},
      {"something.else", "kept"},
  });
  ASSERT_TRUE(b) << error_message(b.error());
  EXPECT_EQ(b->bridge_name, "mybr");
  EXPECT_FALSE(b->enable_icc);
  EXPECT_FALSE(b->enable_ip_masquerade);
  EXPECT_EQ(b->host_binding_ip, "127.0.0.1");
  EXPECT_TRUE(b->default_bridge);
  EXPECT_EQ(b->gateway_mode_ipv4, "nat-unprotected");
  EXPECT_EQ(b->gateway_mode_ipv6, "routed");
  EXPECT_TRUE(b->inhibit_ipv4);
  EXPECT_EQ(b->trusted_host_interfaces, (std::vector<std::string>{"eth0", "eth1"}));
  EXPECT_EQ(b->mtu, 1450);
  EXPECT_EQ(b->container_iface_prefix, "cif");
  EXPECT_EQ(b->host_ipv4, "192.0.2.10");
  EXPECT_EQ(b->host_ipv6, "2001:db8::1");
  EXPECT_EQ(b->enable_ipv4, true);
  EXPECT_EQ(b->enable_ipv6, false);
  EXPECT_EQ(bridge_interface_name(*b, new_id), "mybr");
  EXPECT_EQ(bridge_interface_name(bridge_options{}, new_id), "br-0123456789ab");
}

TEST(bridge_options, refuses_bad_values_with_libnetworks_messages) {
  const std::vector<std::pair<std::pair<std::string, std::string>, std::string>> cases{
      {{"com.docker.network.bridge.enable_ip_masquerade", ""},
       "(strconv.ParseBool: parsing \"\": invalid syntax)"},
      {{"com.docker.network.bridge.default_bridge", "yes\n"},
       "(strconv.ParseBool: parsing \"yes\\n\": invalid syntax)"},
      {{"com.docker.network.bridge.inhibit_ipv4", "on"},
       "(strconv.ParseBool: parsing \"on\": invalid syntax)"},
      {{"com.docker.network.driver.mtu", "1.5"}, "(strconv.Atoi: parsing \"1.5\": invalid syntax)"},
      {{"com.docker.network.driver.mtu", "-99999999999999999999"},
       "(strconv.Atoi: parsing \"-99999999999999999999\": value out of range)"},
      {{"com.docker.network.host_ipv4", "1.2.3"}, "(nil ip)"},
      {{"com.docker.network.host_ipv6", "fe80::1%eth0"}, "(nil ip)"},
      {{"com.docker.network.bridge.gateway_mode_ipv6", "NAT"}, "(unknown gateway mode NAT)"},
      {{"com.docker.network.enable_ipv6", "2"},
       "(strconv.ParseBool: parsing \"2\": invalid syntax)"},
  };
  for (const auto& [option, why] : cases) {
    SCOPED_TRACE(option.first);
    expect_error(parse_bridge_options({option}), errc::invalid_argument,
                 "failed to parse " + option.first + " value: " + option.second + " " + why);
  }
}

// --- static endpoint addresses ---------------------------------------------------------------

TEST(endpoint_addresses, are_checked_like_dockerd) {
  auto networks = existing_networks();
  const auto& dynamic = networks[0]; // no configured subnet
  const auto& front = networks[1];   // 10.10.0.0/16
  const std::string prefix = "invalid endpoint settings:\n";
  const std::string no_subnet = "user specified IP address is supported only when connecting to "
                                "networks with user configured subnets";
  EXPECT_FALSE(validate_endpoint_addresses(front, "front", "", ""));
  EXPECT_FALSE(validate_endpoint_addresses(front, "front", "10.10.9.9", ""));
  EXPECT_FALSE(validate_endpoint_addresses(front, "front", "::ffff:10.10.9.9", ""));
  expect_error(validate_endpoint_addresses(front, "front", "10.11.0.1", ""), errc::invalid_argument,
               prefix + "no configured subnet or ip-range contain the IP address 10.11.0.1");
  expect_error(validate_endpoint_addresses(front, "front", "foo", ""), errc::invalid_argument,
               prefix + "* invalid IPv4 address: foo\n* no configured subnet or ip-range contain "
                        "the IP address foo");
  expect_error(validate_endpoint_addresses(front, "front", "0.0.0.0", ""), errc::invalid_argument,
               prefix + "* invalid IPv4 address: 0.0.0.0\n* no configured subnet or ip-range "
                        "contain the IP address 0.0.0.0");
  expect_error(validate_endpoint_addresses(front, "front", "fd00::1", ""), errc::invalid_argument,
               prefix + "* invalid IPv4 address: fd00::1\n* no configured subnet or ip-range "
                        "contain the IP address fd00::1");
  expect_error(validate_endpoint_addresses(front, "front", "", "fd00::5"), errc::invalid_argument,
               prefix + no_subnet);
  expect_error(validate_endpoint_addresses(front, "front", "", "10.10.0.5"), errc::invalid_argument,
               prefix + "* invalid IPv6 address: 10.10.0.5\n* " + no_subnet);
  expect_error(validate_endpoint_addresses(dynamic, "mynet", "172.17.0.9", ""),
               errc::invalid_argument, prefix + no_subnet);
  expect_error(validate_endpoint_addresses(front, "bridge", "10.10.0.5", ""),
               errc::invalid_argument,
               prefix + "user specified IP address is supported on user defined networks only");
  expect_error(
      validate_endpoint_addresses(dynamic, "default", "172.17.0.9", ""), errc::invalid_argument,
      prefix + "* user specified IP address is supported on user defined networks only\n* " +
          no_subnet);
  expect_error(validate_endpoint_addresses(front, "container:abc", "10.10.0.5", ""),
               errc::invalid_argument,
               prefix + "user specified IP address is supported on user defined networks only");
}

} // namespace
