// `Config` and `HostConfig` rendered as docker inspect shows them for API 1.50: Go's field names,
// nil slices as null, omitempty fields left out.
#include "runtime/container_config.hpp"

namespace berth::runtime {

namespace {

using json = nlohmann::json;

/// A Go slice that is nil when empty.
json list_or_null(const std::vector<std::string>& list) {
  return list.empty() ? json(nullptr) : json(list);
}

json optional_list(const std::optional<std::vector<std::string>>& list) {
  return list ? json(*list) : json(nullptr);
}

json key_set(const std::set<std::string>& keys) {
  auto out = json::object();
  for (const auto& k : keys)
    out[k] = json::object();
  return out;
}

json objects(const std::vector<json>& list) {
  return list;
}

json to_json(const mount_config& m) {
  auto out = json::object();
  if (!m.type.empty()) out["Type"] = m.type;
  if (!m.source.empty()) out["Source"] = m.source;
  if (!m.target.empty()) out["Target"] = m.target;
  if (m.read_only) out["ReadOnly"] = true;
  if (!m.consistency.empty()) out["Consistency"] = m.consistency;
  if (m.has_bind_options) {
    auto b = json::object();
    if (!m.bind_propagation.empty()) b["Propagation"] = m.bind_propagation;
    if (m.bind_non_recursive) b["NonRecursive"] = true;
    if (m.bind_create_mountpoint) b["CreateMountpoint"] = true;
    if (m.bind_readonly_non_recursive) b["ReadOnlyNonRecursive"] = true;
    if (m.bind_readonly_force_recursive) b["ReadOnlyForceRecursive"] = true;
    out["BindOptions"] = std::move(b);
  }
  if (m.has_volume_options) {
    auto v = json::object();
    if (m.volume_no_copy) v["NoCopy"] = true;
    if (!m.volume_labels.empty()) v["Labels"] = m.volume_labels;
    if (!m.volume_subpath.empty()) v["Subpath"] = m.volume_subpath;
    if (!m.volume_driver.empty() || !m.volume_driver_options.empty()) {
      auto d = json::object();
      if (!m.volume_driver.empty()) d["Name"] = m.volume_driver;
      if (!m.volume_driver_options.empty()) d["Options"] = m.volume_driver_options;
      v["DriverConfig"] = std::move(d);
    }
    out["VolumeOptions"] = std::move(v);
  }
  if (m.has_tmpfs_options) {
    auto t = json::object();
    if (m.tmpfs_size != 0) t["SizeBytes"] = m.tmpfs_size;
    if (m.tmpfs_mode != 0) t["Mode"] = m.tmpfs_mode;
    if (!m.tmpfs_options.empty()) t["Options"] = m.tmpfs_options;
    out["TmpfsOptions"] = std::move(t);
  }
  return out;
}

} // namespace

json to_json(const container_config& c) {
  json out = {
      {"Hostname", c.hostname},
      {"Domainname", c.domainname},
      {"User", c.user},
      {"AttachStdin", c.attach_stdin},
      {"AttachStdout", c.attach_stdout},
      {"AttachStderr", c.attach_stderr},
      {"Tty", c.tty},
      {"OpenStdin", c.open_stdin},
      {"StdinOnce", c.stdin_once},
      {"Env", list_or_null(c.env)},
      {"Cmd", optional_list(c.cmd)},
      {"Image", c.image},
      {"Volumes", key_set(c.volumes)},
      {"WorkingDir", c.working_dir},
      {"Entrypoint", optional_list(c.entrypoint)},
      {"OnBuild", list_or_null(c.on_build)},
      {"Labels", c.labels.empty() ? json::object() : json(c.labels)},
  };
  // omitempty fields.
  if (!c.exposed_ports.empty()) out["ExposedPorts"] = key_set(c.exposed_ports);
  if (c.healthcheck) {
    auto h = json::object();
    if (!c.healthcheck->test.empty()) h["Test"] = c.healthcheck->test;
    if (c.healthcheck->interval != 0) h["Interval"] = c.healthcheck->interval;
    if (c.healthcheck->timeout != 0) h["Timeout"] = c.healthcheck->timeout;
    if (c.healthcheck->start_period != 0) h["StartPeriod"] = c.healthcheck->start_period;
    if (c.healthcheck->start_interval != 0) h["StartInterval"] = c.healthcheck->start_interval;
    if (c.healthcheck->retries != 0) h["Retries"] = c.healthcheck->retries;
    out["Healthcheck"] = std::move(h);
  }
  if (c.args_escaped) out["ArgsEscaped"] = true;
  if (c.network_disabled) out["NetworkDisabled"] = true;
  if (!c.mac_address.empty()) out["MacAddress"] = c.mac_address;
  if (!c.stop_signal.empty()) out["StopSignal"] = c.stop_signal;
  if (c.stop_timeout) out["StopTimeout"] = *c.stop_timeout;
  if (c.shell && !c.shell->empty()) out["Shell"] = *c.shell;
  return out;
}

json to_json(const host_config& h) {
  auto port_bindings = json::object();
  for (const auto& [port, bindings] : h.port_bindings) {
    auto list = json::array();
    for (const auto& b : bindings)
      list.push_back({{"HostIp", b.host_ip}, {"HostPort", b.host_port}});
    port_bindings[port] = std::move(list);
  }
  auto ulimits = json::array();
  for (const auto& u : h.ulimits)
    ulimits.push_back({{"Name", u.name}, {"Hard", u.hard}, {"Soft", u.soft}});
  json out = {
      {"Binds", list_or_null(h.binds)},
      {"ContainerIDFile", h.container_id_file},
      {"LogConfig",
       {{"Type", h.log.type},
        {"Config", h.log.config.empty() ? json::object() : json(h.log.config)}}},
      {"NetworkMode", h.network_mode},
      {"PortBindings", std::move(port_bindings)},
      {"RestartPolicy",
       {{"Name", h.restart.name}, {"MaximumRetryCount", h.restart.maximum_retry_count}}},
      {"AutoRemove", h.auto_remove},
      {"VolumeDriver", h.volume_driver},
      {"VolumesFrom", list_or_null(h.volumes_from)},
      {"ConsoleSize", {h.console_size[0], h.console_size[1]}},
      {"CapAdd", list_or_null(h.cap_add)},
      {"CapDrop", list_or_null(h.cap_drop)},
      {"CgroupnsMode", h.cgroupns_mode},
      // The CLI always sends these three as lists, and inspect shows them so.
      {"Dns", h.dns},
      {"DnsOptions", h.dns_options},
      {"DnsSearch", h.dns_search},
      {"ExtraHosts", list_or_null(h.extra_hosts)},
      {"GroupAdd", list_or_null(h.group_add)},
      {"IpcMode", h.ipc_mode},
      {"Cgroup", h.cgroup},
      {"Links", list_or_null(h.links)},
      {"OomScoreAdj", h.oom_score_adj},
      {"PidMode", h.pid_mode},
      {"Privileged", h.privileged},
      {"PublishAllPorts", h.publish_all_ports},
      {"ReadonlyRootfs", h.readonly_rootfs},
      {"SecurityOpt", list_or_null(h.security_opt)},
      {"UTSMode", h.uts_mode},
      {"UsernsMode", h.userns_mode},
      {"ShmSize", h.shm_size},
      {"Isolation", h.isolation},
      // Resources.
      {"CpuShares", h.cpu_shares},
      {"Memory", h.memory},
      {"NanoCpus", h.nano_cpus},
      {"CgroupParent", h.cgroup_parent},
      {"BlkioWeight", h.blkio_weight},
      {"BlkioWeightDevice", objects(h.blkio_weight_device)},
      {"BlkioDeviceReadBps", objects(h.blkio_device_read_bps)},
      {"BlkioDeviceWriteBps", objects(h.blkio_device_write_bps)},
      {"BlkioDeviceReadIOps", objects(h.blkio_device_read_iops)},
      {"BlkioDeviceWriteIOps", objects(h.blkio_device_write_iops)},
      {"CpuPeriod", h.cpu_period},
      {"CpuQuota", h.cpu_quota},
      {"CpuRealtimePeriod", h.cpu_realtime_period},
      {"CpuRealtimeRuntime", h.cpu_realtime_runtime},
      {"CpusetCpus", h.cpuset_cpus},
      {"CpusetMems", h.cpuset_mems},
      {"Devices", objects(h.devices)},
      {"DeviceCgroupRules", list_or_null(h.device_cgroup_rules)},
      {"DeviceRequests", h.device_requests.empty() ? json(nullptr) : objects(h.device_requests)},
      {"MemoryReservation", h.memory_reservation},
      {"MemorySwap", h.memory_swap},
      {"MemorySwappiness", h.memory_swappiness == -1 ? json(nullptr) : json(h.memory_swappiness)},
      {"OomKillDisable", h.oom_kill_disable},
      {"PidsLimit", h.pids_limit ? json(*h.pids_limit) : json(nullptr)},
      {"Ulimits", std::move(ulimits)},
      {"CpuCount", 0},
      {"CpuPercent", 0},
      {"IOMaximumIOps", h.io_maximum_iops},
      {"IOMaximumBandwidth", h.io_maximum_bandwidth},
      {"MaskedPaths", optional_list(h.masked_paths)},
      {"ReadonlyPaths", optional_list(h.readonly_paths)},
  };
  // omitempty fields.
  if (!h.annotations.empty()) out["Annotations"] = h.annotations;
  if (!h.storage_opt.empty()) out["StorageOpt"] = h.storage_opt;
  if (!h.tmpfs.empty()) out["Tmpfs"] = h.tmpfs;
  if (!h.sysctls.empty()) out["Sysctls"] = h.sysctls;
  if (!h.runtime.empty()) out["Runtime"] = h.runtime;
  if (!h.mounts.empty()) {
    auto mounts = json::array();
    for (const auto& m : h.mounts)
      mounts.push_back(to_json(m));
    out["Mounts"] = std::move(mounts);
  }
  if (h.init) out["Init"] = *h.init;
  return out;
}

} // namespace berth::runtime
