// Tests runtime/container_config_json and image_config_merge: inspect's rendering of Config and
// HostConfig, round trips, and filling a Config from its image.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "runtime/container_config.hpp"

using namespace berth;
using namespace berth::runtime;
using json = nlohmann::json;

namespace {

host_limits two_cpus() {
  host_limits l;
  l.ncpu = 2;
  l.cpus = "0-1";
  return l;
}

} // namespace

TEST(container_config_json, config_uses_dockers_null_and_omitempty_conventions) {
  container_config c;
  c.image = "busybox";
  c.cmd = std::vector<std::string>{"echo", "hi"};
  c.attach_stdout = true;
  auto j = to_json(c);
  EXPECT_EQ(j["Env"], nullptr);
  EXPECT_EQ(j["Cmd"], json({"echo", "hi"}));
  EXPECT_EQ(j["Entrypoint"], nullptr);
  EXPECT_EQ(j["OnBuild"], nullptr);
  EXPECT_EQ(j["Labels"], json::object());
  EXPECT_EQ(j["Volumes"], json::object());
  EXPECT_EQ(j["Image"], "busybox");
  EXPECT_EQ(j["WorkingDir"], "");
  EXPECT_TRUE(j["AttachStdout"].get<bool>());
  for (const char* omitted : {"ExposedPorts", "Healthcheck", "ArgsEscaped", "NetworkDisabled",
                              "MacAddress", "StopSignal", "StopTimeout", "Shell"})
    EXPECT_FALSE(j.contains(omitted)) << omitted;
  for (const char* present : {"Hostname", "Domainname", "User", "AttachStdin", "AttachStderr",
                              "Tty", "OpenStdin", "StdinOnce"})
    EXPECT_TRUE(j.contains(present)) << present;
  c.exposed_ports = {"80/tcp"};
  c.stop_timeout = 0;
  c.healthcheck = healthcheck_config{{"CMD", "true"}, 1000000000, 0, 0, 0, 2};
  j = to_json(c);
  EXPECT_EQ(j["ExposedPorts"], json({{"80/tcp", json::object()}}));
  EXPECT_EQ(j["StopTimeout"], 0);
  EXPECT_EQ(j["Healthcheck"],
            json({{"Test", {"CMD", "true"}}, {"Interval", 1000000000}, {"Retries", 2}}));
}

TEST(container_config_json, host_config_as_inspect_shows_it) {
  host_config h;
  h.log.type = "json-file";
  h.shm_size = 67108864;
  h.ipc_mode = "private";
  h.cgroupns_mode = "host";
  auto j = to_json(h);
  EXPECT_EQ(j["Binds"], nullptr);
  EXPECT_EQ(j["NetworkMode"], "bridge");
  EXPECT_EQ(j["LogConfig"], json({{"Type", "json-file"}, {"Config", json::object()}}));
  EXPECT_EQ(j["PortBindings"], json::object());
  EXPECT_EQ(j["RestartPolicy"], json({{"Name", "no"}, {"MaximumRetryCount", 0}}));
  EXPECT_EQ(j["ConsoleSize"], json({0, 0}));
  EXPECT_EQ(j["CapAdd"], nullptr);
  EXPECT_EQ(j["Dns"], json::array());
  EXPECT_EQ(j["ExtraHosts"], nullptr);
  EXPECT_EQ(j["SecurityOpt"], nullptr);
  EXPECT_EQ(j["MemorySwappiness"], nullptr);
  EXPECT_EQ(j["PidsLimit"], nullptr);
  EXPECT_EQ(j["OomKillDisable"], false);
  EXPECT_EQ(j["Ulimits"], json::array());
  EXPECT_EQ(j["Devices"], json::array());
  EXPECT_EQ(j["DeviceCgroupRules"], nullptr);
  EXPECT_EQ(j["DeviceRequests"], nullptr);
  EXPECT_EQ(j["BlkioWeightDevice"], json::array());
  EXPECT_EQ(j["MaskedPaths"], nullptr);
  EXPECT_EQ(j["ShmSize"], 67108864);
  EXPECT_EQ(j["CpuCount"], 0);
  for (const char* omitted :
       {"Annotations", "StorageOpt", "Tmpfs", "Sysctls", "Runtime", "Mounts", "Init"})
    EXPECT_FALSE(j.contains(omitted)) << omitted;
  h.pids_limit = 50;
  h.memory_swappiness = 0;
  h.masked_paths = std::vector<std::string>{};
  h.init = false;
  h.runtime = "runc";
  h.mounts.push_back(mount_config{.type = "bind", .source = "/a", .target = "/b"});
  j = to_json(h);
  EXPECT_EQ(j["PidsLimit"], 50);
  EXPECT_EQ(j["MemorySwappiness"], 0);
  EXPECT_EQ(j["MaskedPaths"], json::array());
  EXPECT_EQ(j["Init"], false);
  EXPECT_EQ(j["Runtime"], "runc");
  EXPECT_EQ(j["Mounts"], json::array({{{"Type", "bind"}, {"Source", "/a"}, {"Target", "/b"}}}));
}

TEST(container_config_json, round_trips_through_the_parser) {
  container_config c;
  c.hostname = "web";
  c.domainname = "example.com";
  c.user = "1000:1000";
  c.tty = true;
  c.open_stdin = true;
  c.env = {"A=1", "B=2"};
  c.cmd = std::vector<std::string>{"sh", "-c", "true"};
  c.entrypoint = std::vector<std::string>{};
  c.image = "busybox:latest";
  c.volumes = {"/data"};
  c.working_dir = "/srv";
  c.labels = {{"k", "v"}};
  c.exposed_ports = {"80/tcp", "53/udp"};
  c.stop_signal = "SIGTERM";
  c.stop_timeout = 20;
  c.healthcheck = healthcheck_config{{"CMD-SHELL", "true"}, 30000000000, 2000000000, 0, 0, 3};
  c.on_build = {"RUN true"};
  c.shell = std::vector<std::string>{"/bin/sh", "-c"};
  host_config h;
  h.binds = {"/tmp:/tmp:ro"};
  h.log = {"json-file", {{"max-size", "1m"}}};
  h.port_bindings = {{"80/tcp", {{"0.0.0.0", "8080"}}}};
  h.restart = {"on-failure", 2};
  h.console_size = {24, 80};
  h.cap_add = {"CAP_NET_ADMIN"};
  h.cap_drop = {"CAP_MKNOD"};
  h.dns = {"1.1.1.1"};
  h.extra_hosts = {"a:1.2.3.4"};
  h.group_add = {"audio"};
  h.ipc_mode = "private";
  h.oom_score_adj = 10;
  h.readonly_rootfs = true;
  h.security_opt = {"no-new-privileges"};
  h.tmpfs = {{"/run", "size=1m"}};
  h.shm_size = 1 << 20;
  h.sysctls = {{"net.ipv4.ip_forward", "1"}};
  h.runtime = "runc";
  h.masked_paths = std::vector<std::string>{"/proc/kcore"};
  h.readonly_paths = std::vector<std::string>{"/proc/sys"};
  h.init = true;
  h.mounts.push_back(mount_config{.type = "tmpfs",
                                  .target = "/t",
                                  .has_tmpfs_options = true,
                                  .tmpfs_size = 4096,
                                  .tmpfs_mode = 0700});
  h.cpu_shares = 512;
  h.memory = 64 << 20;
  h.memory_swap = -1;
  h.nano_cpus = 500000000;
  h.cgroup_parent = "/custom";
  h.blkio_weight = 100;
  h.cpuset_cpus = "0";
  h.memory_reservation = 32 << 20;
  h.memory_swappiness = 60;
  h.oom_kill_disable = true;
  h.pids_limit = 64;
  h.ulimits = {{"nofile", 1024, 4096}};
  h.device_cgroup_rules = {"c 1:3 rwm"};
  auto body = to_json(c);
  body["HostConfig"] = to_json(h);
  auto c2 = parse_container_config(body);
  ASSERT_TRUE(c2) << error_message(c2.error());
  EXPECT_EQ(*c2, c);
  auto h2 = parse_host_config(body, two_cpus());
  ASSERT_TRUE(h2) << error_message(h2.error());
  EXPECT_EQ(*h2, h);
  EXPECT_EQ(to_json(*h2), to_json(h));
}

TEST(image_config_merge, fills_what_the_client_left_unset) {
  auto image = json::parse(R"({"User":"nobody","Env":["PATH=/img/bin","A=image"],
    "Cmd":["sh"],"Entrypoint":["/entry"],"WorkingDir":"/w","Labels":{"l":"image","m":"image"},
    "ExposedPorts":{"80/tcp":{}},"Volumes":{"/vol":{}},"StopSignal":"SIGQUIT",
    "Healthcheck":{"Test":["CMD","true"],"Interval":5000000000,"Retries":2}})");
  container_config c;
  c.env = {"A=mine", "B=mine"};
  c.labels = {{"l", "mine"}};
  c.healthcheck = healthcheck_config{};
  c.healthcheck->retries = 7;
  merge_image_config(c, image);
  EXPECT_EQ(c.user, "nobody");
  EXPECT_EQ(c.env, (std::vector<std::string>{"A=mine", "B=mine", "PATH=/img/bin"}));
  EXPECT_EQ(*c.entrypoint, (std::vector<std::string>{"/entry"}));
  EXPECT_EQ(*c.cmd, (std::vector<std::string>{"sh"}));
  EXPECT_EQ(c.working_dir, "/w");
  EXPECT_EQ(c.labels.at("l"), "mine");
  EXPECT_EQ(c.labels.at("m"), "image");
  EXPECT_TRUE(c.exposed_ports.count("80/tcp"));
  EXPECT_TRUE(c.volumes.count("/vol"));
  EXPECT_EQ(c.stop_signal, "SIGQUIT");
  EXPECT_EQ(c.healthcheck->test, (std::vector<std::string>{"CMD", "true"}));
  EXPECT_EQ(c.healthcheck->interval, 5000000000);
  EXPECT_EQ(c.healthcheck->retries, 7);

  // An Entrypoint from the request drops the image's Cmd.
  container_config e;
  e.entrypoint = std::vector<std::string>{"/bin/echo"};
  merge_image_config(e, image);
  EXPECT_FALSE(e.cmd);
  // [""] resets the Entrypoint; the image's Cmd is dropped too (it came with an Entrypoint).
  container_config reset;
  reset.entrypoint = std::vector<std::string>{""};
  merge_image_config(reset, image);
  EXPECT_FALSE(reset.entrypoint);
  EXPECT_FALSE(reset.cmd);
  // An empty Entrypoint list keeps the image's Cmd and no Entrypoint.
  container_config empty;
  empty.entrypoint = std::vector<std::string>{};
  merge_image_config(empty, image);
  EXPECT_TRUE(empty.entrypoint->empty());
  EXPECT_EQ(*empty.cmd, (std::vector<std::string>{"sh"}));
}
