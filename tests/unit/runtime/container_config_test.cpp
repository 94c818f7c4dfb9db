// Tests runtime/container_config: decoding the docker CLI's create body and its variants.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "runtime/container_config.hpp"
#include "tests/unit/runtime/create_body.hpp"

using namespace berth;
using namespace berth::runtime;
using namespace berth::runtime::testing;
using json = nlohmann::json;

TEST(container_config, parses_the_cli28_create_body) {
  auto c = parse_container_config(cli_body());
  ASSERT_TRUE(c) << error_message(c.error());
  EXPECT_TRUE(c->attach_stdout);
  EXPECT_TRUE(c->attach_stderr);
  EXPECT_FALSE(c->attach_stdin);
  EXPECT_FALSE(c->tty);
  EXPECT_TRUE(c->env.empty());
  ASSERT_TRUE(c->cmd);
  EXPECT_EQ(*c->cmd, (std::vector<std::string>{"echo", "hi"}));
  EXPECT_FALSE(c->entrypoint);
  EXPECT_EQ(c->image, "busybox");
  EXPECT_TRUE(c->volumes.empty());
  EXPECT_TRUE(c->labels.empty());
  EXPECT_FALSE(c->healthcheck);
  EXPECT_FALSE(c->stop_timeout);

  auto h = parse_host_config(cli_body(), two_cpus());
  ASSERT_TRUE(h) << error_message(h.error());
  EXPECT_EQ(h->network_mode, "bridge"); // "default" is the default bridge
  EXPECT_EQ(h->restart, (restart_policy{"no", 0}));
  EXPECT_EQ(h->log.type, "");
  EXPECT_EQ(h->console_size, (std::array<uint32_t, 2>{0, 0}));
  EXPECT_EQ(h->memory_swappiness, -1);
  EXPECT_FALSE(h->pids_limit); // 0 = unlimited
  EXPECT_FALSE(h->oom_kill_disable);
  EXPECT_FALSE(h->masked_paths);
  EXPECT_FALSE(h->readonly_paths);
  EXPECT_FALSE(h->init);
  EXPECT_TRUE(h->binds.empty());
  EXPECT_TRUE(h->cap_add.empty());
  EXPECT_TRUE(h->ulimits.empty());
}

TEST(container_config, absent_or_null_host_config_means_defaults) {
  auto body = cli_body();
  body.erase("HostConfig");
  auto h = parse_host_config(body, two_cpus());
  ASSERT_TRUE(h);
  EXPECT_EQ(*h, host_config{});
  body["HostConfig"] = nullptr;
  h = parse_host_config(body, two_cpus());
  ASSERT_TRUE(h);
  EXPECT_EQ(*h, host_config{});
}

TEST(container_config, cmd_and_entrypoint_as_string_or_list) {
  auto c = parse_container_config(body_with({}, {{"Cmd", "top"}, {"Entrypoint", "/bin/sh"}}));
  ASSERT_TRUE(c);
  EXPECT_EQ(*c->cmd, (std::vector<std::string>{"top"}));
  EXPECT_EQ(*c->entrypoint, (std::vector<std::string>{"/bin/sh"}));
  c = parse_container_config(body_with({}, {{"Cmd", json::array()}, {"Entrypoint", {""}}}));
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->cmd); // [] is not null
  EXPECT_TRUE(c->cmd->empty());
  EXPECT_EQ(*c->entrypoint, (std::vector<std::string>{""}));
  c = parse_container_config(body_with({}, {{"Cmd", nullptr}, {"Shell", {"/bin/ash", "-c"}}}));
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->cmd);
  EXPECT_EQ(*c->shell, (std::vector<std::string>{"/bin/ash", "-c"}));
}

TEST(container_config, config_fields) {
  auto c = parse_container_config(
      body_with({}, {{"Env", {"A=1", "B"}},
                     {"ExposedPorts", {{"80/tcp", json::object()}, {"53/udp", json::object()}}},
                     {"Volumes", {{"/data", json::object()}}},
                     {"WorkingDir", "/srv/./app/"},
                     {"Labels", {{"a", "b"}}},
                     {"StopSignal", "SIGUSR1"},
                     {"StopTimeout", 3},
                     {"User", "1000:1000"},
                     {"Healthcheck",
                      {{"Test", {"CMD-SHELL", "true"}},
                       {"Interval", 30000000000},
                       {"Timeout", 5000000000},
                       {"StartPeriod", 1000000000},
                       {"StartInterval", 2000000000},
                       {"Retries", 3}}}}));
  ASSERT_TRUE(c) << error_message(c.error());
  EXPECT_EQ(c->env, (std::vector<std::string>{"A=1", "B"}));
  EXPECT_EQ(c->exposed_ports, (std::set<std::string>{"53/udp", "80/tcp"}));
  EXPECT_EQ(c->volumes, (std::set<std::string>{"/data"}));
  EXPECT_EQ(c->working_dir, "/srv/app");
  EXPECT_EQ(c->labels.at("a"), "b");
  EXPECT_EQ(c->stop_signal, "SIGUSR1");
  EXPECT_EQ(c->stop_timeout, 3);
  EXPECT_EQ(c->user, "1000:1000");
  ASSERT_TRUE(c->healthcheck);
  EXPECT_EQ(c->healthcheck->test, (std::vector<std::string>{"CMD-SHELL", "true"}));
  EXPECT_EQ(c->healthcheck->interval, 30000000000);
  EXPECT_EQ(c->healthcheck->timeout, 5000000000);
  EXPECT_EQ(c->healthcheck->start_period, 1000000000);
  EXPECT_EQ(c->healthcheck->start_interval, 2000000000);
  EXPECT_EQ(c->healthcheck->retries, 3);
}

TEST(container_config, config_validation_messages) {
  struct row {
    json changes;
    std::string message;
  };
  std::vector<row> rows = {
      {{{"WorkingDir", "srv"}},
       "the working directory 'srv' is invalid, it needs to be an absolute path"},
      {{{"StopSignal", "SIGFOO"}}, "invalid signal: SIGFOO"},
      {{{"StopSignal", "0"}}, "invalid signal: 0"},
      {{{"Env", {"=x"}}}, "invalid environment variable: =x"},
      {{{"Env", {""}}}, "invalid environment variable: "},
      {{{"Healthcheck", {{"Interval", 1000}}}}, "Interval in Healthcheck cannot be less than 1ms"},
      {{{"Healthcheck", {{"Interval", -1000000000}}}},
       "Interval in Healthcheck cannot be less than 1ms"},
      {{{"Healthcheck", {{"Timeout", -1}}}}, "Timeout in Healthcheck cannot be less than 1ms"},
      {{{"Healthcheck", {{"Timeout", 10}}}}, "Timeout in Healthcheck cannot be less than 1ms"},
      {{{"Healthcheck", {{"Retries", -1}}}}, "Retries in Healthcheck cannot be negative"},
      {{{"Healthcheck", {{"StartPeriod", 5}}}},
       "StartPeriod in Healthcheck cannot be less than 1ms"},
      {{{"Healthcheck", {{"StartInterval", 5}}}},
       "StartInterval in Healthcheck cannot be less than 1ms"},
      {{{"Cmd", 5}},
       "invalid JSON: json: cannot unmarshal number 5 into Go struct field CreateRequest.Cmd of "
       "type strslice.StrSlice"},
      {{{"Tty", "yes"}},
       "invalid JSON: json: cannot unmarshal string into Go struct field CreateRequest.Tty of type "
       "bool"},
  };
  for (const auto& r : rows)
    EXPECT_EQ(config_error(r.changes), r.message) << r.changes.dump();
  EXPECT_EQ(config_error({{"StopSignal", "kill"}}), "(no error)");
  // Zero means "inherit or default"; 1ms is the least dockerd accepts.
  EXPECT_EQ(config_error({{"Healthcheck", {{"Interval", 0}, {"Timeout", 1000000}}}}), "(no error)");
  EXPECT_EQ(config_error({{"StopSignal", "RTMIN+3"}}), "(no error)");
  EXPECT_EQ(config_error({{"StopSignal", "9"}}), "(no error)");
  auto null_body = parse_container_config(json(nullptr));
  ASSERT_FALSE(null_body);
  EXPECT_EQ(error_message(null_body.error()),
            "config cannot be empty in order to create a container");
  EXPECT_FALSE(parse_container_config(json::array()));
}

TEST(container_config, run_flags_become_host_config) {
  // -p 127.0.0.1:8080:80/tcp -p 9000 -v /tmp:/data:ro -v vol:/v --mount ... --tmpfs /run
  // --restart on-failure:3 --ulimit nofile=1024:2048 --cap-add net_admin --cap-drop MKNOD
  // --memory 256m --memory-swap 512m --cpus 1.5 --pids-limit 100 --shm-size 128m --read-only
  // --init --add-host foo:1.2.3.4 --dns 9.9.9.9 --log-driver json-file --log-opt max-size=1m
  auto h =
      host_of({{"PortBindings",
                {{"80/tcp", {{{"HostIp", "127.0.0.1"}, {"HostPort", "8080"}}}},
                 {"9000/tcp", {{{"HostIp", ""}, {"HostPort", ""}}}}}},
               {"Binds", {"/tmp:/data:ro", "vol:/v"}},
               {"Mounts",
                {{{"Type", "bind"}, {"Source", "/tmp"}, {"Target", "/m"}, {"ReadOnly", true}},
                 {{"Type", "tmpfs"},
                  {"Target", "/t"},
                  {"TmpfsOptions", {{"SizeBytes", 65536}, {"Mode", 448}}}},
                 {{"Type", "volume"},
                  {"Source", "named"},
                  {"Target", "/named"},
                  {"VolumeOptions", {{"NoCopy", true}, {"DriverConfig", {{"Name", "local"}}}}}}}},
               {"Tmpfs", {{"/run", "size=64m,mode=1777"}}},
               {"RestartPolicy", {{"Name", "on-failure"}, {"MaximumRetryCount", 3}}},
               {"Ulimits", {{{"Name", "nofile"}, {"Soft", 1024}, {"Hard", 2048}}}},
               {"CapAdd", {"net_admin"}},
               {"CapDrop", {"MKNOD"}},
               {"Memory", 268435456},
               {"MemorySwap", 536870912},
               {"NanoCpus", 1500000000},
               {"PidsLimit", 100},
               {"ShmSize", 134217728},
               {"ReadonlyRootfs", true},
               {"Init", true},
               {"ExtraHosts", {"foo:1.2.3.4", "gw:host-gateway", "six:::1"}},
               {"Dns", {"9.9.9.9"}},
               {"LogConfig", {{"Type", "json-file"}, {"Config", {{"max-size", "1m"}}}}},
               {"SecurityOpt", {"no-new-privileges"}},
               {"Sysctls", {{"net.ipv4.ip_forward", "1"}}},
               {"OomScoreAdj", 500},
               {"MemorySwappiness", 10},
               {"OomKillDisable", true},
               {"CpusetCpus", "0-1"},
               {"BlkioWeight", 300},
               {"DeviceCgroupRules", {"c 1:3 rwm", "a *:* m"}}});
  ASSERT_TRUE(h) << error_message(h.error());
  EXPECT_EQ(h->port_bindings.at("80/tcp"), (std::vector<port_binding>{{"127.0.0.1", "8080"}}));
  EXPECT_EQ(h->port_bindings.at("9000/tcp"), (std::vector<port_binding>{{"", ""}}));
  EXPECT_EQ(h->binds, (std::vector<std::string>{"/tmp:/data:ro", "vol:/v"}));
  ASSERT_EQ(h->mounts.size(), 3u);
  EXPECT_EQ(h->mounts[0].type, "bind");
  EXPECT_TRUE(h->mounts[0].read_only);
  EXPECT_EQ(h->mounts[1].tmpfs_size, 65536);
  EXPECT_EQ(h->mounts[1].tmpfs_mode, 448u);
  EXPECT_TRUE(h->mounts[1].has_tmpfs_options);
  EXPECT_TRUE(h->mounts[2].volume_no_copy);
  EXPECT_EQ(h->mounts[2].volume_driver, "local");
  EXPECT_EQ(h->tmpfs.at("/run"), "size=64m,mode=1777");
  EXPECT_EQ(h->restart, (restart_policy{"on-failure", 3}));
  EXPECT_EQ(h->ulimits, (std::vector<ulimit_setting>{{"nofile", 1024, 2048}}));
  EXPECT_EQ(h->cap_add, (std::vector<std::string>{"CAP_NET_ADMIN"}));
  EXPECT_EQ(h->cap_drop, (std::vector<std::string>{"CAP_MKNOD"}));
  EXPECT_EQ(h->memory, 268435456);
  EXPECT_EQ(h->memory_swap, 536870912);
  EXPECT_EQ(h->nano_cpus, 1500000000);
  EXPECT_EQ(h->pids_limit, 100);
  EXPECT_EQ(h->shm_size, 134217728);
  EXPECT_TRUE(h->readonly_rootfs);
  EXPECT_EQ(h->init, true);
  EXPECT_EQ(h->extra_hosts.size(), 3u);
  EXPECT_EQ(h->log.type, "json-file");
  EXPECT_EQ(h->log.config.at("max-size"), "1m");
  EXPECT_EQ(h->oom_score_adj, 500);
  EXPECT_EQ(h->memory_swappiness, 10);
  EXPECT_TRUE(h->oom_kill_disable);
  EXPECT_EQ(h->blkio_weight, 300);
  EXPECT_EQ(h->device_cgroup_rules.size(), 2u);
}

TEST(container_config, go_decoding_rules) {
  // Keys match case-insensitively when there is no exact match.
  auto h = host_of({{"Memory", 0}}, {});
  auto body = cli_body();
  body["HostConfig"].erase("Memory");
  body["HostConfig"]["memory"] = 10485760;
  h = parse_host_config(body, two_cpus());
  ASSERT_TRUE(h);
  EXPECT_EQ(h->memory, 10485760);
  // CapAdd may be a single string (strslice).
  h = host_of({{"CapAdd", "SYS_ADMIN"}});
  ASSERT_TRUE(h);
  EXPECT_EQ(h->cap_add, (std::vector<std::string>{"CAP_SYS_ADMIN"}));
  // Negative PidsLimit means unlimited; MemorySwappiness -1 means unset.
  h = host_of({{"PidsLimit", -1}, {"MemorySwappiness", nullptr}});
  ASSERT_TRUE(h);
  EXPECT_FALSE(h->pids_limit);
  EXPECT_EQ(h->memory_swappiness, -1);
  // "" NetworkMode is the default bridge; other modes stay.
  EXPECT_EQ(host_of({{"NetworkMode", ""}})->network_mode, "bridge");
  EXPECT_EQ(host_of({{"NetworkMode", "host"}})->network_mode, "host");
  EXPECT_EQ(host_of({{"NetworkMode", "mynet"}})->network_mode, "mynet");
  // A RestartPolicy without Name keeps "" (what dockerd before 25 stored for "no").
  EXPECT_EQ(host_of({{"RestartPolicy", json::object()}})->restart.name, "");
  // ConsoleSize for `run -it`.
  EXPECT_EQ(host_of({{"ConsoleSize", {24, 80}}})->console_size, (std::array<uint32_t, 2>{24, 80}));
}

TEST(container_config, type_errors_use_go_wording) {
  EXPECT_EQ(host_error({{"Memory", "256m"}}),
            "invalid JSON: json: cannot unmarshal string into Go struct field "
            "HostConfig.HostConfig.Memory of type int64");
  EXPECT_EQ(host_error({{"Memory", 1.5}}),
            "invalid JSON: json: cannot unmarshal number 1.5 into Go struct field "
            "HostConfig.HostConfig.Memory of type int64");
  EXPECT_EQ(host_error({{"BlkioWeight", 70000}}),
            "invalid JSON: json: cannot unmarshal number 70000 into Go struct field "
            "HostConfig.HostConfig.BlkioWeight of type uint16");
  EXPECT_EQ(host_error({{"Binds", "/a:/b"}}),
            "invalid JSON: json: cannot unmarshal string into Go struct field "
            "HostConfig.HostConfig.Binds of type []string");
  EXPECT_EQ(host_error({{"RestartPolicy", {{"MaximumRetryCount", "3"}}}}),
            "invalid JSON: json: cannot unmarshal string into Go struct field "
            "RestartPolicy.HostConfig.RestartPolicy.MaximumRetryCount of type int");
  EXPECT_EQ(host_error({{"ConsoleSize", {-1, 80}}}),
            "invalid JSON: json: cannot unmarshal number -1 into Go struct field "
            "HostConfig.HostConfig.ConsoleSize of type uint");
  auto body = cli_body();
  body["HostConfig"] = "x";
  auto h = parse_host_config(body, two_cpus());
  ASSERT_FALSE(h);
  EXPECT_NE(error_message(h.error()).find("cannot unmarshal string"), std::string::npos);
}

TEST(container_config, parse_bind) {
  auto m = parse_bind("/tmp/./x/:/data/:ro,rshared");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, "bind");
  EXPECT_EQ(m->source, "/tmp/x");
  EXPECT_EQ(m->target, "/data");
  EXPECT_TRUE(m->read_only);
  EXPECT_EQ(m->bind_propagation, "rshared");
  m = parse_bind("vol:/v:nocopy");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, "volume");
  EXPECT_EQ(m->source, "vol");
  EXPECT_TRUE(m->volume_no_copy);
  EXPECT_FALSE(m->read_only);
  m = parse_bind("/anonymous");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, "volume");
  EXPECT_EQ(m->source, "");
  EXPECT_EQ(m->target, "/anonymous");
}
