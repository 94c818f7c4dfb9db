// Tests api/docker_json/network_settings_json: the NetworkSettings the CLI reads for
// `docker inspect`, `docker port` and `docker ps`.
#include <gtest/gtest.h>

#include "api/docker_json/network_settings_json.hpp"

using namespace berth;
using namespace berth::actors;
using nlohmann::json;

namespace {

container_record running_on(const std::string& network) {
  container_record rec;
  rec.id = std::string(64, 'a');
  rec.status = container_status::running;
  rec.config.exposed_ports = {"80/tcp", "53/udp"};
  endpoint_info e;
  e.network_id = std::string(64, 'n');
  e.endpoint_id = std::string(64, 'e');
  e.mac = "02:42:0a:00:00:02";
  e.address = *ipv4_cidr::parse("10.0.0.2/24");
  e.gateway = ipv4_address::parse("10.0.0.1");
  e.embedded_dns = network != "bridge";
  e.dns_names = {"web", "aaaaaaaaaaaa"};
  rec.networks = {{network, {}, "", "", e}};
  rec.ports = {{"tcp", "127.0.0.1", 8080, 80}};
  return rec;
}

} // namespace

TEST(network_settings_json, the_default_bridge_fills_the_deprecated_top_level_fields) {
  auto j = api::network_settings_json(running_on("bridge"), "/run/berth/netns/x");
  EXPECT_EQ(j["IPAddress"], "10.0.0.2");
  EXPECT_EQ(j["Gateway"], "10.0.0.1");
  EXPECT_EQ(j["IPPrefixLen"], 24);
  EXPECT_EQ(j["MacAddress"], "02:42:0a:00:00:02");
  EXPECT_EQ(j["SandboxKey"], "/run/berth/netns/x");
  EXPECT_TRUE(j["Networks"]["bridge"]["DNSNames"].is_null());
}

TEST(network_settings_json, user_networks_show_only_under_networks) {
  auto j = api::network_settings_json(running_on("n1"), "/x");
  EXPECT_EQ(j["IPAddress"], "");
  const auto& n1 = j["Networks"]["n1"];
  EXPECT_EQ(n1["IPAddress"], "10.0.0.2");
  EXPECT_EQ(n1["NetworkID"], std::string(64, 'n'));
  EXPECT_EQ(n1["DNSNames"], json({"web", "aaaaaaaaaaaa"}));
}

TEST(network_settings_json, ports_list_exposed_and_published_ones_while_running) {
  auto rec = running_on("bridge");
  auto j = api::network_settings_json(rec, "/x");
  EXPECT_TRUE(j["Ports"]["53/udp"].is_null());
  EXPECT_EQ(j["Ports"]["80/tcp"], json::parse(R"([{"HostIp":"127.0.0.1","HostPort":"8080"}])"));
  rec.status = container_status::exited;
  rec.networks[0].endpoint.reset();
  auto stopped = api::network_settings_json(rec, "/x");
  EXPECT_EQ(stopped["Ports"], json::object());
  EXPECT_EQ(stopped["SandboxKey"], "");
  EXPECT_EQ(stopped["Networks"]["bridge"]["IPAddress"], "");
}
