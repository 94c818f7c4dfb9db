// Tests actors/container_networks: which networks a create request puts a container on, with
// dockerd's refusals.
#include <gtest/gtest.h>

#include "actors/container_networks.hpp"
#include "base/error.hpp"

using namespace berth;
using namespace berth::actors;
using nlohmann::json;

namespace {

caf::expected<std::vector<container_network>> networks(const std::string& mode, json body,
                                                       const std::string& mac = {}) {
  runtime::host_config host;
  host.network_mode = mode;
  runtime::container_config config;
  config.mac_address = mac;
  return networks_for_create(body, host, config);
}

} // namespace

TEST(container_networks, the_default_network_is_bridge_whatever_the_cli_calls_it) {
  auto n = networks("default", {{"NetworkingConfig", {{"EndpointsConfig", {{"default", {}}}}}}});
  ASSERT_TRUE(n) << error_message(n.error());
  ASSERT_EQ(n->size(), 1u);
  EXPECT_EQ((*n)[0].name, "bridge");
}

TEST(container_networks, a_user_network_takes_its_endpoint_settings) {
  json body = {{"NetworkingConfig",
                {{"EndpointsConfig",
                  {{"n1",
                    {{"Aliases", {"www", "web"}},
                     {"IPAMConfig", {{"IPv4Address", "10.1.0.5"}}},
                     {"MacAddress", "02:42:0a:01:00:05"}}}}}}}};
  auto n = networks("n1", body);
  ASSERT_TRUE(n) << error_message(n.error());
  ASSERT_EQ(n->size(), 1u);
  EXPECT_EQ((*n)[0].aliases, (std::vector<std::string>{"www", "web"}));
  EXPECT_EQ((*n)[0].ipv4, "10.1.0.5");
  EXPECT_EQ((*n)[0].mac, "02:42:0a:01:00:05");
}

TEST(container_networks, more_endpoints_join_after_the_primary_one) {
  json body = {{"NetworkingConfig", {{"EndpointsConfig", {{"a", {}}, {"n1", {}}, {"z", {}}}}}}};
  auto n = networks("n1", body);
  ASSERT_TRUE(n);
  ASSERT_EQ(n->size(), 3u);
  EXPECT_EQ((*n)[0].name, "n1");
}

TEST(container_networks, the_deprecated_config_mac_goes_to_the_primary_network) {
  auto n = networks("n1", json::object(), "02:42:ac:11:00:09");
  ASSERT_TRUE(n);
  EXPECT_EQ((*n)[0].mac, "02:42:ac:11:00:09");
}

TEST(container_networks, shared_namespaces_have_no_networks_of_their_own) {
  auto n = networks("container:" + std::string(64, 'a'), json::object());
  ASSERT_TRUE(n);
  EXPECT_TRUE(n->empty());
  auto host = networks("host", json::object());
  ASSERT_TRUE(host);
  ASSERT_EQ(host->size(), 1u);
  EXPECT_TRUE(is_endpointless_network((*host)[0].name));
}

TEST(container_networks, bad_requests_get_dockerds_messages) {
  auto alias = networks(
      "bridge", {{"NetworkingConfig", {{"EndpointsConfig", {{"bridge", {{"Aliases", {"x"}}}}}}}}});
  ASSERT_FALSE(alias);
  EXPECT_EQ(error_message(alias.error()),
            "network-scoped alias is supported only for containers in user defined networks");
  auto none = networks("none", {{"NetworkingConfig", {{"EndpointsConfig", {{"n1", {}}}}}}});
  ASSERT_FALSE(none);
  EXPECT_NE(error_message(none.error()).find("private (none) mode"), std::string::npos);
  auto ip = networks(
      "n1", {{"NetworkingConfig",
              {{"EndpointsConfig", {{"n1", {{"IPAMConfig", {{"IPv4Address", "10.1.0.500"}}}}}}}}}});
  ASSERT_FALSE(ip);
  EXPECT_EQ(error_message(ip.error()), "invalid IPv4 address: 10.1.0.500");
  for (json bad :
       {json{{"NetworkingConfig", {{"EndpointsConfig", "x"}}}},
        json{{"NetworkingConfig", {{"EndpointsConfig", {{"n1", 5}}}}}},
        json{{"NetworkingConfig", {{"EndpointsConfig", {{"n1", {{"Aliases", "a"}}}}}}}}}) {
    auto r = networks("n1", bad);
    ASSERT_FALSE(r) << bad.dump();
    EXPECT_EQ(error_kind(r.error()), errc::invalid_argument);
  }
}
