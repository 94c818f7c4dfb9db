// Tests actors/container_record: the stored form round-trips, corrupt rows are refused, and the
// paths stay where the rest of the daemon looks for them.
#include <gtest/gtest.h>

#include "actors/container_record.hpp"
#include "base/error.hpp"

using namespace berth;
using namespace berth::actors;

namespace {

container_record sample() {
  container_record c;
  c.id = std::string(64, 'a');
  c.name = "web";
  c.created_nanos = 1'700'000'000'123'456'789;
  c.config.image = "busybox";
  c.config.cmd = std::vector<std::string>{"httpd", "-f"};
  c.config.labels = {{"tier", "web"}};
  c.host.memory = 64 << 20;
  c.host.restart.name = "on-failure";
  c.host.restart.maximum_retry_count = 3;
  c.host.cap_add = {"CAP_NET_ADMIN"};
  c.image_id = "sha256:" + std::string(64, 'b');
  c.image_size = 2'000'000;
  c.image_chain = {"sha256:" + std::string(64, 'c')};
  c.lower_dirs = {"/data/overlay2/l/ABC"};
  c.image_config = {{"Env", {"PATH=/bin"}}};
  c.path = "httpd";
  c.args = {"-f"};
  c.runtime = "runc";
  c.hostname = "aaaaaaaaaaaa";
  c.status = container_status::exited;
  c.exit_code = 137;
  c.oom_killed = true;
  c.started_at = 1'700'000'001'000'000'000;
  c.finished_at = 1'700'000'002'000'000'000;
  c.restart_count = 2;
  c.manually_stopped = true;
  c.has_been_started = true;
  endpoint_info e;
  e.network_id = std::string(64, 'n');
  e.network_name = "n1";
  e.endpoint_id = std::string(64, 'e');
  e.host_ifname = "berthveeeeeeee";
  e.ifname = "eth0";
  e.bridge = "berth-nnnnnnnn";
  e.mac = "02:42:0a:00:00:02";
  e.address = *ipv4_cidr::parse("10.0.0.2/24");
  e.gateway = ipv4_address::parse("10.0.0.1");
  e.embedded_dns = true;
  e.aliases = {"www"};
  e.dns_names = {"web", "www", "aaaaaaaaaaaa"};
  e.container_name = "web";
  c.networks = {{"n1", {"www"}, "10.0.0.2", "", e}, {"n2", {}, "", "", std::nullopt}};
  c.ports = {{"tcp", "127.0.0.1", 8080, 80}};
  return c;
}

} // namespace

TEST(container_record, the_stored_form_round_trips) {
  auto c = sample();
  auto back = container_from_state_json(to_state_json(c));
  ASSERT_TRUE(back) << error_message(back.error());
  EXPECT_EQ(back->id, c.id);
  EXPECT_EQ(back->name, c.name);
  EXPECT_EQ(back->created_nanos, c.created_nanos);
  EXPECT_EQ(back->config.cmd, c.config.cmd);
  EXPECT_EQ(back->config.labels, c.config.labels);
  EXPECT_EQ(back->host.memory, c.host.memory);
  EXPECT_EQ(back->host.restart, c.host.restart);
  EXPECT_EQ(back->host.cap_add, c.host.cap_add);
  EXPECT_EQ(back->image_id, c.image_id);
  EXPECT_EQ(back->image_size, c.image_size);
  EXPECT_EQ(back->image_chain, c.image_chain);
  EXPECT_EQ(back->lower_dirs, c.lower_dirs);
  EXPECT_EQ(back->image_config, c.image_config);
  EXPECT_EQ(back->path, c.path);
  EXPECT_EQ(back->args, c.args);
  EXPECT_EQ(back->status, container_status::exited);
  EXPECT_EQ(back->exit_code, 137);
  EXPECT_TRUE(back->oom_killed);
  EXPECT_EQ(back->finished_at, c.finished_at);
  EXPECT_EQ(back->restart_count, 2);
  EXPECT_TRUE(back->manually_stopped);
  EXPECT_TRUE(back->has_been_started);
  ASSERT_EQ(back->networks.size(), 2u);
  EXPECT_EQ(back->networks[0].name, "n1");
  EXPECT_EQ(back->networks[0].aliases, std::vector<std::string>{"www"});
  EXPECT_EQ(back->networks[0].ipv4, "10.0.0.2");
  ASSERT_TRUE(back->networks[0].endpoint);
  const auto& e = *back->networks[0].endpoint;
  EXPECT_EQ(e.address.to_string(), "10.0.0.2/24");
  EXPECT_EQ(e.gateway->to_string(), "10.0.0.1");
  EXPECT_EQ(e.host_ifname, "berthveeeeeeee");
  EXPECT_EQ(e.dns_names, (std::vector<std::string>{"web", "www", "aaaaaaaaaaaa"}));
  EXPECT_TRUE(e.embedded_dns);
  EXPECT_FALSE(back->networks[1].endpoint);
  EXPECT_EQ(back->ports, c.ports);
}

TEST(container_record, the_health_is_stored_with_the_record) {
  auto c = sample();
  auto none = container_from_state_json(to_state_json(c));
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->health); // no healthcheck ran: no State.Health
  c.health = runtime::health_state{};
  c.health->status = runtime::health_status::unhealthy;
  c.health->failing_streak = 3;
  c.health->log = {{1, 2, 1, ""}, {3, 4, -1, "Health check exceeded timeout (1s)"}};
  auto back = container_from_state_json(to_state_json(c));
  ASSERT_TRUE(back);
  ASSERT_TRUE(back->health);
  EXPECT_EQ(*back->health, *c.health);
}

TEST(container_record, a_corrupt_endpoint_is_refused) {
  auto j = nlohmann::json::parse(to_state_json(sample()));
  j["networks"][0]["endpoint"]["Address"] = "not an address";
  EXPECT_FALSE(container_from_state_json(j.dump()));
  j["networks"][0]["endpoint"].erase("Address");
  EXPECT_FALSE(container_from_state_json(j.dump()));
}

TEST(container_record, corrupt_rows_are_refused) {
  for (const char* bad : {"", "{", "[]", R"({"name":"x"})"}) {
    auto r = container_from_state_json(bad);
    EXPECT_FALSE(r) << bad;
  }
}

TEST(container_record, statuses_have_dockers_names) {
  for (auto s : {container_status::created, container_status::running, container_status::paused,
                 container_status::restarting, container_status::removing, container_status::exited,
                 container_status::dead})
    EXPECT_EQ(parse_container_status(to_string(s)), s);
  EXPECT_STREQ(to_string(container_status::exited), "exited");
}

TEST(container_record, paths_keep_the_read_write_layer_out_of_the_image_store) {
  auto p = paths_of(sample(), "/var/lib/berth", "/run/berth");
  auto id = std::string(64, 'a');
  EXPECT_EQ(p.dir, "/var/lib/berth/containers/" + id);
  EXPECT_EQ(p.log, p.dir + "/" + id + "-json.log");
  EXPECT_EQ(p.layer_dir, p.dir + "/layer");
  EXPECT_EQ(p.rootfs, p.layer_dir + "/merged");
  EXPECT_EQ(p.bundle, "/run/berth/containers/" + id);
  EXPECT_EQ(p.shim_state, p.bundle + "/shim");
  EXPECT_EQ(p.layer_dir.find("overlay2"), std::string::npos);
}
