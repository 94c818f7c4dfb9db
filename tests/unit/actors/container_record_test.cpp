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
