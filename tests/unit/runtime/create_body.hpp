// The docker CLI 28 create body and helpers to vary it, for the runtime/container_config tests.
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "runtime/container_config.hpp"

namespace berth::runtime::testing {

using json = nlohmann::json;

/// The body docker CLI 28.2.2 sends for `docker run busybox echo hi` (cli-endpoints.md §3).
inline const char* cli28_body = R"({"Hostname":"","Domainname":"","User":"","AttachStdin":false,
 "AttachStdout":true,"AttachStderr":true,"Tty":false,"OpenStdin":false,"StdinOnce":false,
 "Env":null,"Cmd":["echo","hi"],"Image":"busybox","Volumes":{},"WorkingDir":"","Entrypoint":null,
 "OnBuild":null,"Labels":{},
 "HostConfig":{"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},
   "NetworkMode":"default","PortBindings":{},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},
   "AutoRemove":false,"VolumeDriver":"","VolumesFrom":null,"ConsoleSize":[0,0],"CapAdd":null,
   "CapDrop":null,"CgroupnsMode":"","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,
   "GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"",
   "Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,
   "UTSMode":"","UsernsMode":"","ShmSize":0,"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,
   "CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":[],
   "BlkioDeviceWriteBps":[],"BlkioDeviceReadIOps":[],"BlkioDeviceWriteIOps":[],"CpuPeriod":0,
   "CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"",
   "Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"MemoryReservation":0,
   "MemorySwap":0,"MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":0,"Ulimits":[],
   "CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,
   "ReadonlyPaths":null},
 "NetworkingConfig":{"EndpointsConfig":{"default":{"IPAMConfig":null,"Links":null,
   "Aliases":null,"MacAddress":"","DriverOpts":null,"GwPriority":0,"NetworkID":"",
   "EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0,"IPv6Gateway":"",
   "GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"DNSNames":null}}}})";

inline host_limits two_cpus() {
  host_limits l;
  l.ncpu = 2;
  l.cpus = "0-1";
  l.mems = "0";
  l.cpu_realtime = false;
  // A daemon without CAP_BPF.
  for (const auto& c : all_capabilities())
    if (c != "CAP_BPF") l.capabilities.push_back(c);
  return l;
}

inline json cli_body() {
  return json::parse(cli28_body);
}

/// The CLI body with `changes` merged into HostConfig (and `config` into the top level).
inline json body_with(const json& host_changes, const json& config_changes = json::object()) {
  auto body = cli_body();
  for (auto it = host_changes.begin(); it != host_changes.end(); ++it)
    body["HostConfig"][it.key()] = it.value();
  for (auto it = config_changes.begin(); it != config_changes.end(); ++it)
    body[it.key()] = it.value();
  return body;
}

inline caf::expected<host_config> host_of(const json& host_changes,
                                          const json& config_changes = json::object()) {
  return parse_host_config(body_with(host_changes, config_changes), two_cpus());
}

inline std::string host_error(const json& host_changes,
                              const json& config_changes = json::object()) {
  auto h = host_of(host_changes, config_changes);
  if (h) return "(no error)";
  EXPECT_EQ(error_kind(h.error()), errc::invalid_argument);
  return error_message(h.error());
}

inline std::string config_error(const json& config_changes) {
  auto c = parse_container_config(body_with(json::object(), config_changes));
  if (c) return "(no error)";
  EXPECT_EQ(error_kind(c.error()), errc::invalid_argument);
  return error_message(c.error());
}

} // namespace berth::runtime::testing
