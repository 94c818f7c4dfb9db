// Tests runtime/host_config_validation: every create-time refusal with dockerd's message, the
// variants that pass, the bind-source check and the host probe.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "runtime/container_config.hpp"
#include "tests/unit/runtime/create_body.hpp"

using namespace berth;
using namespace berth::runtime;
using namespace berth::runtime::testing;
using json = nlohmann::json;

TEST(host_config_validation, messages) {
  struct row {
    json changes;
    std::string message;
    json config = json::object();
  };
  std::vector<row> rows = {
      // Restart policies.
      {{{"RestartPolicy", {{"Name", "foo"}}}},
       "invalid restart policy: unknown policy 'foo'; use one of 'no', 'always', 'on-failure', or "
       "'unless-stopped'"},
      {{{"RestartPolicy", {{"Name", "always"}, {"MaximumRetryCount", 2}}}},
       "invalid restart policy: maximum retry count can only be used with 'on-failure'"},
      {{{"RestartPolicy", {{"Name", "no"}, {"MaximumRetryCount", -2}}}},
       "invalid restart policy: maximum retry count can only be used with 'on-failure' and cannot "
       "be negative"},
      {{{"RestartPolicy", {{"Name", "on-failure"}, {"MaximumRetryCount", -1}}}},
       "invalid restart policy: maximum retry count cannot be negative"},
      {{{"AutoRemove", true}, {"RestartPolicy", {{"Name", "always"}}}},
       "can't create 'AutoRemove' container with restart policy"},
      // Memory.
      {{{"Memory", 1024}}, "Minimum memory limit allowed is 6MB"},
      {{{"Memory", 67108864}, {"MemorySwap", 33554432}},
       "Minimum memoryswap limit should be larger than memory limit, see usage"},
      {{{"MemorySwap", 33554432}},
       "You should always set the Memory limit when using Memoryswap limit, see usage"},
      {{{"MemorySwappiness", 101}}, "Invalid value: 101, valid memory swappiness range is 0-100"},
      {{{"MemorySwappiness", -2}}, "Invalid value: -2, valid memory swappiness range is 0-100"},
      {{{"MemoryReservation", 1024}}, "Minimum memory reservation allowed is 6MB"},
      {{{"Memory", 8388608}, {"MemoryReservation", 16777216}},
       "Minimum memory limit can not be less than memory reservation limit, see usage"},
      // CPU.
      {{{"NanoCpus", 1000000000}, {"CpuPeriod", 100000}},
       "Conflicting options: Nano CPUs and CPU Period cannot both be set"},
      {{{"NanoCpus", 1000000000}, {"CpuQuota", 50000}},
       "Conflicting options: Nano CPUs and CPU Quota cannot both be set"},
      {{{"NanoCpus", 3000000000}},
       "range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"},
      {{{"NanoCpus", -1}},
       "range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"},
      {{{"CpuPeriod", 500}},
       "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)"},
      {{{"CpuQuota", 500}}, "CPU cfs quota can not be less than 1ms (i.e. 1000)"},
      {{{"CpuShares", -5}}, "invalid CPU shares (-5): value must be a positive integer"},
      {{{"CpuRealtimeRuntime", 1000}}, "kernel does not support CPU real-time scheduler"},
      {{{"CpusetCpus", "0-x"}}, "Invalid value 0-x for cpuset cpus: invalid format: 0-x"},
      {{{"CpusetCpus", "1-0"}}, "Invalid value 1-0 for cpuset cpus: invalid format: 1-0"},
      {{{"CpusetCpus", "3"}}, "Requested CPUs are not available - requested 3, available: 0-1"},
      {{{"CpusetCpus", "0-100000"}},
       "Invalid value 0-100000 for cpuset cpus: value of out range, maximum is 8192"},
      {{{"CpusetMems", "1"}},
       "Requested memory nodes are not available - requested 1, available: 0"},
      {{{"BlkioWeight", 5}}, "Range of blkio weight is from 10 to 1000"},
      {{{"IOMaximumIOps", 5}},
       "invalid option: QoS maximum IOPs configuration is not supported on linux"},
      {{{"IOMaximumBandwidth", 5}},
       "invalid option: QoS maximum bandwidth configuration is not supported on linux"},
      // Capabilities.
      {{{"CapAdd", {"CAP_FOO"}}}, "invalid CapAdd: unknown capability: \"CAP_FOO\""},
      {{{"CapDrop", {"bogus"}}}, "invalid CapDrop: unknown capability: \"CAP_BOGUS\""},
      {{{"CapAdd", {"CAP_BPF"}}},
       "invalid CapAdd: capability not supported by your kernel or not available in the current "
       "environment: \"CAP_BPF\""},
      // Ports, hosts.
      {{{"PortBindings", {{"80x/tcp", json::array()}}}}, "invalid port specification: \"80x\""},
      {{{"PortBindings", {{"70000/tcp", json::array()}}}}, "invalid port specification: \"70000\""},
      {{{"PortBindings", {{"80/tcp", {{{"HostPort", "abc"}}}}}}},
       "invalid port specification: \"abc\""},
      {{{"PortBindings", {{"80/tcp", {{{"HostPort", "9000-8000"}}}}}}},
       "invalid port specification: \"9000-8000\""},
      {{{"ExtraHosts", {"nocolon"}}}, "bad format for add-host: \"nocolon\""},
      {{{"ExtraHosts", {"h:999.1.1.1"}}}, "invalid IP address in add-host: \"999.1.1.1\""},
      // Modes.
      {{{"OomScoreAdj", 1001}}, "Invalid value 1001, range for oom score adj is [-1000, 1000]"},
      {{{"OomScoreAdj", -1001}}, "Invalid value -1001, range for oom score adj is [-1000, 1000]"},
      {{{"ShmSize", -1}}, "SHM size can not be less than 0"},
      {{{"IpcMode", "bogus"}}, "invalid IPC mode: bogus"},
      {{{"PidMode", "bogus"}}, "invalid PID mode: bogus"},
      {{{"PidMode", "container:"}}, "invalid PID mode: container:"},
      {{{"UTSMode", "bogus"}}, "invalid UTS mode: bogus"},
      {{{"CgroupnsMode", "bogus"}}, "invalid cgroup namespace mode: bogus"},
      {{{"Isolation", "hyperv"}}, "invalid isolation (hyperv): linux only supports 'default'"},
      {{{"NetworkMode", "container:"}},
       "invalid network mode: invalid container format container:<name|id>"},
      {{{"NetworkMode", "container:abc"}},
       "conflicting options: hostname and the network mode",
       {{"Hostname", "h"}}},
      {{{"NetworkMode", "container:abc"}, {"PublishAllPorts", true}},
       "conflicting options: port publishing and the container type network mode"},
      {{{"NetworkMode", "container:abc"}},
       "conflicting options: port exposing and the container type network mode",
       {{"ExposedPorts", {{"80/tcp", json::object()}}}}},
      {{{"NetworkMode", "container:abc"}, {"Dns", {"1.1.1.1"}}},
       "conflicting options: dns and the network mode"},
      {{{"UTSMode", "host"}},
       "conflicting options: hostname and the UTS mode",
       {{"Hostname", "h"}}},
      {{{"NetworkMode", "host"}, {"Links", {"a:b"}}},
       "conflicting options: host type networking can't be used with links. This would result in "
       "undefined behavior"},
      // Ulimits.
      {{{"Ulimits", {{{"Name", "nofile"}, {"Soft", 2048}, {"Hard", 1024}}}}},
       "ulimit soft limit must be less than or equal to hard limit: 2048 > 1024"},
      {{{"Ulimits", {{{"Name", "nofile"}, {"Soft", -1}, {"Hard", 1024}}}}},
       "ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: "
       "1024"},
      {{{"Ulimits", {{{"Name", "bogus"}, {"Soft", 1}, {"Hard", 1}}}}},
       "invalid ulimit type: bogus"},
      // Mounts and volumes.
      {{{"Mounts", {{{"Type", "bind"}, {"Source", "/tmp"}, {"Target", "x"}}}}},
       "invalid mount config for type \"bind\": invalid mount path: 'x' mount path must be "
       "absolute"},
      {{{"Mounts", {{{"Type", "bind"}, {"Source", "tmp"}, {"Target", "/x"}}}}},
       "invalid mount config for type \"bind\": invalid mount path: 'tmp' mount path must be "
       "absolute"},
      {{{"Mounts", {{{"Type", "bind"}, {"Target", "/x"}}}}},
       "invalid mount config for type \"bind\": field Source must not be empty"},
      {{{"Mounts", {{{"Type", "volume"}, {"Source", "v"}}}}},
       "invalid mount config for type \"volume\": field Target must not be empty"},
      {{{"Mounts", {{{"Type", "volume"}, {"Target", "/"}}}}},
       "invalid mount config for type \"volume\": invalid specification: destination can't be "
       "'/'"},
      {{{"Mounts", {{{"Type", "bogus"}, {"Target", "/x"}}}}},
       "invalid mount config for type \"bogus\": mount type unknown"},
      {{{"Mounts", {{{"Type", "tmpfs"}, {"Source", "x"}, {"Target", "/x"}}}}},
       "invalid mount config for type \"tmpfs\": field Source must not be specified"},
      {{{"Mounts", {{{"Type", "volume"}, {"Target", "/x"}, {"ReadOnly", true}}}}},
       "invalid mount config for type \"volume\": must not set ReadOnly mode when using anonymous "
       "volumes"},
      {{{"Mounts",
         {{{"Type", "bind"},
           {"Source", "/tmp"},
           {"Target", "/x"},
           {"BindOptions", {{"Propagation", "bogus"}}}}}}},
       "invalid mount config for type \"bind\": invalid propagation mode: bogus"},
      {{{"Mounts",
         {{{"Type", "bind"},
           {"Source", "/tmp"},
           {"Target", "/x"},
           {"VolumeOptions", {{"NoCopy", true}}}}}}},
       "VolumeOptions must not be specified on mount type \"bind\""},
      {{{"Mounts",
         {{{"Type", "tmpfs"},
           {"Target", "/x"},
           {"TmpfsOptions", {{"Options", json::array({json::array({"uid", "0"})})}}}}}}},
       "invalid mount config for type \"tmpfs\": invalid option: uid"},
      {{{"Binds", {":/x"}}}, "invalid volume specification: ':/x'"},
      {{{"Binds", {"/a:/b:/c:/d"}}}, "invalid volume specification: '/a:/b:/c:/d'"},
      {{{"Binds", {"/tmp:/x:bogus"}}}, "invalid mode: bogus"},
      {{{"Binds", {"/tmp:/x:ro,rw"}}}, "invalid mode: ro,rw"},
      {{{"Binds", {"/x:ro"}}}, "invalid volume specification: '/x:ro'"},
      {{{"Binds", {"/tmp:rel"}}},
       "invalid volume specification: '/tmp:rel': invalid mount config for type \"bind\": invalid "
       "mount path: 'rel' mount path must be absolute"},
      {{{"Binds", {"/tmp:/"}}},
       "invalid volume specification: '/tmp:/': invalid mount config for type \"bind\": invalid "
       "specification: destination can't be '/'"},
      {{{"Binds", {"/a:/x", "/b:/x/"}}}, "Duplicate mount point: /x"},
      {{{"Tmpfs", {{"rel", ""}}}}, "invalid mount path: 'rel' mount path must be absolute"},
      {{{"Tmpfs", {{"/", ""}}}}, "invalid specification: destination can't be '/'"},
      {{{"Tmpfs", {{"/run", "size=1m,bogus"}}}}, "invalid tmpfs option [\"bogus\"]"},
      {{{"Tmpfs", {{"/run", "foo=1"}}}}, "invalid tmpfs option [\"foo\" \"1\"]"},
      {{{"VolumesFrom", {""}}}, "volumes-from specification cannot be an empty string"},
      {{{"VolumesFrom", {"c1:rshared"}}}, "invalid mode: rshared"},
      // Security options and device rules.
      {{{"SecurityOpt", {"foo"}}}, "invalid --security-opt 1: \"foo\""},
      {{{"SecurityOpt", {"foo=bar"}}}, "invalid --security-opt 2: \"foo=bar\""},
      {{{"SecurityOpt", {"no-new-privileges=maybe"}}},
       "invalid --security-opt 2: \"no-new-privileges=maybe\""},
      {{{"DeviceCgroupRules", {"x 1:2 rwm"}}}, "invalid device cgroup rule format: 'x 1:2 rwm'"},
      {{{"DeviceCgroupRules", {"c 1:2 rwx"}}}, "invalid device cgroup rule format: 'c 1:2 rwx'"},
      {{{"Annotations", {{"", "x"}}}},
       "invalid Annotations: the empty string is not permitted as an annotation key"},
  };
  for (const auto& r : rows)
    EXPECT_EQ(host_error(r.changes, r.config), r.message) << r.changes.dump();
}

TEST(host_config_validation, valid_variants_pass) {
  std::vector<json> ok = {
      {{"RestartPolicy", {{"Name", "unless-stopped"}}}},
      {{"RestartPolicy", {{"Name", "on-failure"}, {"MaximumRetryCount", 5}}}},
      {{"RestartPolicy", {{"Name", ""}, {"MaximumRetryCount", 5}}}},
      {{"AutoRemove", true}, {"RestartPolicy", {{"Name", "no"}}}},
      {{"Memory", 6291456}},
      {{"Memory", 67108864}, {"MemorySwap", -1}},
      {{"NanoCpus", 2000000000}},
      {{"NanoCpus", 10000000}},
      {{"CpusetCpus", "0,1"}},
      {{"PortBindings", {{"80/tcp", {{{"HostPort", "8000-8010"}}}}}}},
      {{"PortBindings", {{"53/udp", {{{"HostIp", "::1"}, {"HostPort", "53"}}}}}}},
      {{"ExtraHosts", {"h:::1", "h2:host-gateway", "h3=10.0.0.1"}}},
      {{"IpcMode", "shareable"}},
      {{"IpcMode", "container:abc"}},
      {{"PidMode", "host"}},
      {{"UTSMode", "host"}},
      {{"CgroupnsMode", "private"}},
      {{"Isolation", "default"}},
      {{"SecurityOpt",
        {"no-new-privileges:true", "seccomp=unconfined", "label=disable", "apparmor=unconfined",
         "label:disable", "no-new-privileges=false"}}},
      {{"Binds", {"/tmp:/x:ro,rshared,z", "named:/y:nocopy", "/anon"}}},
      {{"Mounts",
        {{{"Type", "bind"},
          {"Source", "/does/not/exist"},
          {"Target", "/x"},
          {"BindOptions", {{"Propagation", "rslave"}}}}}}},
      {{"Tmpfs", {{"/run", ""}, {"/tmp", "exec,size=1g"}}}},
      {{"Ulimits", {{{"Name", "core"}, {"Soft", -1}, {"Hard", -1}}}}},
      {{"DeviceCgroupRules", {"c *:* m", "b 8:0 rw"}}},
  };
  for (const auto& changes : ok)
    EXPECT_EQ(host_error(changes), "(no error)") << changes.dump();
}

TEST(host_config_validation, bind_sources_must_exist_for_mounts_only) {
  auto h = host_of({{"Mounts", {{{"Type", "bind"}, {"Source", "/no/such/dir"}, {"Target", "/x"}}}},
                    {"Binds", {"/also/missing:/y"}}});
  ASSERT_TRUE(h) << error_message(h.error()); // the parser does not look at the filesystem
  auto err = validate_bind_sources(*h);
  ASSERT_TRUE(err);
  EXPECT_EQ(error_message(err),
            "invalid mount config for type \"bind\": bind source path does not exist: "
            "/no/such/dir");
  h->mounts[0].bind_create_mountpoint = true;
  EXPECT_FALSE(validate_bind_sources(*h));
  h->mounts[0].source = "/tmp";
  h->mounts[0].bind_create_mountpoint = false;
  EXPECT_FALSE(validate_bind_sources(*h)); // -v sources are created by the daemon
}

TEST(host_limits, probes_this_host) {
  const auto& l = host_limits::current();
  EXPECT_GE(l.ncpu, 1);
  EXPECT_FALSE(l.cpus.empty());
  EXPECT_FALSE(l.mems.empty());
  // The default CLI body validates against the real host too.
  EXPECT_TRUE(parse_host_config(cli_body()));
}
