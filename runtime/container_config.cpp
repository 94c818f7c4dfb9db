// Decoding `Config` and `HostConfig` from a POST /containers/create body the way dockerd's Go
// structs receive them, then validating them.
#include "runtime/container_config.hpp"

#include <limits>

#include "base/error.hpp"
#include "base/text_fields.hpp"
#include "runtime/config_decoding.hpp"
#include "runtime/go_text.hpp"
#include "runtime/json_fields.hpp"

namespace berth::runtime {

namespace {

using json = nlohmann::json;

caf::error invalid(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

constexpr int64_t minimum_healthcheck_duration = 1'000'000; // 1ms

/// moby/sys/signal's names, without the "SIG" prefix.
bool known_signal_name(const std::string& name) {
  static const std::set<std::string> names = {
      "ABRT", "ALRM",   "BUS",  "CHLD",   "CLD",   "CONT", "FPE",  "HUP",   "ILL",
      "INT",  "IO",     "IOT",  "KILL",   "PIPE",  "POLL", "PROF", "PWR",   "QUIT",
      "SEGV", "STKFLT", "STOP", "SYS",    "TERM",  "TRAP", "TSTP", "TTIN",  "TTOU",
      "URG",  "USR1",   "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX",
  };
  if (names.count(name)) return true;
  // RTMIN+1 ... RTMIN+15 and RTMAX-14 ... RTMAX-1.
  for (const std::string prefix : {"RTMIN+", "RTMAX-"}) {
    if (name.rfind(prefix, 0) == 0) {
      auto n = parse_u64(name.substr(prefix.size()), 8);
      return n && *n >= 1 && *n <= (prefix == "RTMIN+" ? 15u : 14u);
    }
  }
  return false;
}

caf::error validate_signal(const std::string& raw) {
  if (auto number = parse_go_int(raw)) {
    if (*number == 0) return invalid("invalid signal: " + raw);
    return {};
  }
  std::string upper;
  for (char c : raw)
    upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper.rfind("SIG", 0) == 0) upper.erase(0, 3);
  if (!known_signal_name(upper)) return invalid("invalid signal: " + raw);
  return {};
}

caf::error validate_healthcheck(const healthcheck_config& h) {
  auto too_short = [](int64_t d) { return d != 0 && d < minimum_healthcheck_duration; };
  if (too_short(h.interval)) return invalid("Interval in Healthcheck cannot be less than 1ms");
  if (too_short(h.timeout)) return invalid("Timeout in Healthcheck cannot be less than 1ms");
  if (h.retries < 0) return invalid("Retries in Healthcheck cannot be negative");
  if (too_short(h.start_period))
    return invalid("StartPeriod in Healthcheck cannot be less than 1ms");
  if (too_short(h.start_interval))
    return invalid("StartInterval in Healthcheck cannot be less than 1ms");
  return {};
}

port_binding decode_port_binding(json_fields& f) {
  port_binding b;
  f.read("HostIp", b.host_ip);
  f.read("HostPort", b.host_port);
  return b;
}

void decode_port_bindings(json_fields& host, host_config& h) {
  auto* v = host.find("PortBindings");
  if (v == nullptr) return;
  if (!v->is_object()) return host.fail("PortBindings", *v, "nat.PortMap");
  for (auto it = v->begin(); it != v->end() && host.ok(); ++it) {
    auto& list = h.port_bindings[it.key()];
    if (it.value().is_null()) continue;
    if (!it.value().is_array()) return host.fail("PortBindings", it.value(), "[]nat.PortBinding");
    for (const auto& item : it.value()) {
      json_fields b{&item, "PortBinding", host.field_path("PortBindings")};
      auto binding = decode_port_binding(b);
      host.absorb(b);
      if (!host.ok()) return;
      list.push_back(std::move(binding));
    }
  }
}

void decode_ulimits(json_fields& host, host_config& h) {
  std::vector<json> items;
  host.read_objects("Ulimits", items);
  for (const auto& item : items) {
    json_fields u{&item, "Ulimit", host.field_path("Ulimits")};
    ulimit_setting s;
    u.read("Name", s.name);
    u.read("Soft", s.soft);
    u.read("Hard", s.hard);
    host.absorb(u);
    if (!host.ok()) return;
    h.ulimits.push_back(std::move(s));
  }
}

/// TmpfsOptions.Options: [][]string.
bool decode_tmpfs_option_lists(const json& value, std::vector<std::vector<std::string>>& out) {
  if (!value.is_array()) return false;
  for (const auto& item : value) {
    std::vector<std::string> opt;
    if (!item.is_null()) {
      if (!item.is_array()) return false;
      for (const auto& s : item) {
        if (!s.is_string()) return false;
        opt.push_back(s.get<std::string>());
      }
    }
    out.push_back(std::move(opt));
  }
  return true;
}

void decode_mounts(json_fields& host, host_config& h) {
  std::vector<json> items;
  host.read_objects("Mounts", items);
  auto path = host.field_path("Mounts");
  for (const auto& item : items) {
    json_fields f{&item, "Mount", path};
    mount_config m;
    f.read("Type", m.type);
    f.read("Source", m.source);
    f.read("Target", m.target);
    f.read("ReadOnly", m.read_only);
    f.read("Consistency", m.consistency);
    if (f.find("BindOptions") != nullptr) {
      m.has_bind_options = true;
      auto b = f.nested("BindOptions", "BindOptions");
      b.read("Propagation", m.bind_propagation);
      b.read("NonRecursive", m.bind_non_recursive);
      b.read("CreateMountpoint", m.bind_create_mountpoint);
      b.read("ReadOnlyNonRecursive", m.bind_readonly_non_recursive);
      b.read("ReadOnlyForceRecursive", m.bind_readonly_force_recursive);
      f.absorb(b);
    }
    if (f.find("VolumeOptions") != nullptr) {
      m.has_volume_options = true;
      auto v = f.nested("VolumeOptions", "VolumeOptions");
      v.read("NoCopy", m.volume_no_copy);
      v.read("Labels", m.volume_labels);
      v.read("Subpath", m.volume_subpath);
      auto d = v.nested("DriverConfig", "Driver");
      d.read("Name", m.volume_driver);
      d.read("Options", m.volume_driver_options);
      f.absorb(v);
      f.absorb(d);
    }
    if (f.find("TmpfsOptions") != nullptr) {
      m.has_tmpfs_options = true;
      auto t = f.nested("TmpfsOptions", "TmpfsOptions");
      t.read("SizeBytes", m.tmpfs_size);
      t.read("Mode", m.tmpfs_mode, "fs.FileMode");
      if (auto* opts = t.find("Options");
          opts != nullptr && !decode_tmpfs_option_lists(*opts, m.tmpfs_options))
        t.fail("Options", *opts, "[][]string");
      f.absorb(t);
    }
    host.absorb(f);
    if (!host.ok()) return;
    h.mounts.push_back(std::move(m));
  }
}

/// Checks that every entry of a device list has the string/number fields dockerd's struct has.
void check_objects(json_fields& host, std::string_view key, const std::vector<json>& items,
                   const std::vector<std::pair<std::string, std::string>>& fields) {
  for (const auto& item : items) {
    json_fields f{&item, "object", host.field_path(key)};
    for (const auto& [name, type] : fields) {
      if (type == "string") {
        std::string s;
        f.read(name, s);
      } else {
        int64_t n = 0;
        f.read(name, n);
      }
    }
    host.absorb(f);
    if (!host.ok()) return;
  }
}

void decode_resources(json_fields& host, host_config& h) {
  host.read("CpuShares", h.cpu_shares);
  host.read("Memory", h.memory);
  host.read("NanoCpus", h.nano_cpus);
  host.read("CgroupParent", h.cgroup_parent);
  host.read("BlkioWeight", h.blkio_weight);
  host.read_objects("BlkioWeightDevice", h.blkio_weight_device);
  host.read_objects("BlkioDeviceReadBps", h.blkio_device_read_bps);
  host.read_objects("BlkioDeviceWriteBps", h.blkio_device_write_bps);
  host.read_objects("BlkioDeviceReadIOps", h.blkio_device_read_iops);
  host.read_objects("BlkioDeviceWriteIOps", h.blkio_device_write_iops);
  check_objects(host, "BlkioWeightDevice", h.blkio_weight_device,
                {{"Path", "string"}, {"Weight", "number"}});
  for (const auto& [key, list] : {std::pair<const char*, const std::vector<json>*>{
                                      "BlkioDeviceReadBps", &h.blkio_device_read_bps},
                                  {"BlkioDeviceWriteBps", &h.blkio_device_write_bps},
                                  {"BlkioDeviceReadIOps", &h.blkio_device_read_iops},
                                  {"BlkioDeviceWriteIOps", &h.blkio_device_write_iops}})
    check_objects(host, key, *list, {{"Path", "string"}, {"Rate", "number"}});
  host.read("CpuPeriod", h.cpu_period);
  host.read("CpuQuota", h.cpu_quota);
  host.read("CpuRealtimePeriod", h.cpu_realtime_period);
  host.read("CpuRealtimeRuntime", h.cpu_realtime_runtime);
  host.read("CpusetCpus", h.cpuset_cpus);
  host.read("CpusetMems", h.cpuset_mems);
  host.read_objects("Devices", h.devices);
  check_objects(
      host, "Devices", h.devices,
      {{"PathOnHost", "string"}, {"PathInContainer", "string"}, {"CgroupPermissions", "string"}});
  host.read("DeviceCgroupRules", h.device_cgroup_rules);
  host.read_objects("DeviceRequests", h.device_requests);
  int64_t ignored = 0; // KernelMemory and KernelMemoryTCP are ignored since API 1.42
  host.read("KernelMemory", ignored);
  host.read("KernelMemoryTCP", ignored);
  host.read("MemoryReservation", h.memory_reservation);
  host.read("MemorySwap", h.memory_swap);
  std::optional<int64_t> swappiness;
  host.read("MemorySwappiness", swappiness);
  if (swappiness) h.memory_swappiness = *swappiness;
  std::optional<bool> oom_kill_disable;
  host.read("OomKillDisable", oom_kill_disable);
  h.oom_kill_disable = oom_kill_disable.value_or(false);
  std::optional<int64_t> pids;
  host.read("PidsLimit", pids);
  if (pids && *pids > 0) h.pids_limit = *pids; // 0 and negative mean unlimited
  decode_ulimits(host, h);
  // Windows-only (CpuCount, CpuPercent: dropped with a warning by dockerd).
  host.read("CpuCount", ignored);
  host.read("CpuPercent", ignored);
  host.read("IOMaximumIOps", h.io_maximum_iops);
  host.read("IOMaximumBandwidth", h.io_maximum_bandwidth);
}

host_config decode_host_config(json_fields& host) {
  host_config h;
  host.read("Binds", h.binds);
  host.read("ContainerIDFile", h.container_id_file);
  if (host.find("LogConfig") != nullptr) {
    auto l = host.nested("LogConfig", "LogConfig");
    l.read("Type", h.log.type);
    l.read("Config", h.log.config);
    host.absorb(l);
  }
  host.read("NetworkMode", h.network_mode);
  decode_port_bindings(host, h);
  if (host.find("RestartPolicy") != nullptr) {
    auto r = host.nested("RestartPolicy", "RestartPolicy");
    h.restart.name.clear(); // a given policy without Name is ""
    r.read("Name", h.restart.name);
    r.read("MaximumRetryCount", h.restart.maximum_retry_count);
    host.absorb(r);
  }
  host.read("AutoRemove", h.auto_remove);
  host.read("VolumeDriver", h.volume_driver);
  host.read("VolumesFrom", h.volumes_from);
  if (auto* size = host.find("ConsoleSize")) {
    if (!size->is_array()) {
      host.fail("ConsoleSize", *size, "[2]uint");
    } else {
      for (size_t i = 0; i < size->size() && i < 2; ++i) {
        const auto& v = (*size)[i];
        if (v.is_null()) continue;
        if (!v.is_number_integer() || v.get<int64_t>() < 0 ||
            v.get<uint64_t>() > std::numeric_limits<uint32_t>::max()) {
          host.fail("ConsoleSize", v, "uint");
          break;
        }
        h.console_size[i] = static_cast<uint32_t>(v.get<uint64_t>());
      }
    }
  }
  host.read("Annotations", h.annotations);
  std::optional<std::vector<std::string>> caps;
  host.read_strslice("CapAdd", caps);
  if (caps) h.cap_add = std::move(*caps);
  caps.reset();
  host.read_strslice("CapDrop", caps);
  if (caps) h.cap_drop = std::move(*caps);
  host.read("CgroupnsMode", h.cgroupns_mode);
  host.read("Dns", h.dns);
  host.read("DnsOptions", h.dns_options);
  host.read("DnsSearch", h.dns_search);
  host.read("ExtraHosts", h.extra_hosts);
  host.read("GroupAdd", h.group_add);
  host.read("IpcMode", h.ipc_mode);
  host.read("Cgroup", h.cgroup);
  host.read("Links", h.links);
  host.read("OomScoreAdj", h.oom_score_adj);
  host.read("PidMode", h.pid_mode);
  host.read("Privileged", h.privileged);
  host.read("PublishAllPorts", h.publish_all_ports);
  host.read("ReadonlyRootfs", h.readonly_rootfs);
  host.read("SecurityOpt", h.security_opt);
  host.read("StorageOpt", h.storage_opt);
  host.read("Tmpfs", h.tmpfs);
  host.read("UTSMode", h.uts_mode);
  host.read("UsernsMode", h.userns_mode);
  host.read("ShmSize", h.shm_size);
  host.read("Sysctls", h.sysctls);
  host.read("Runtime", h.runtime);
  host.read("Isolation", h.isolation);
  decode_resources(host, h);
  decode_mounts(host, h);
  host.read("MaskedPaths", h.masked_paths);
  host.read("ReadonlyPaths", h.readonly_paths);
  host.read("Init", h.init);
  if (h.network_mode.empty() || h.network_mode == "default") h.network_mode = "bridge";
  return h;
}

/// The create body must be an object; null means "no config" (dockerd's ErrEmptyConfig).
caf::error check_body(const json& body) {
  if (body.is_null()) return invalid("config cannot be empty in order to create a container");
  return {};
}

} // namespace

container_config decode_config(json_fields& root) {
  container_config c;
  root.read("Hostname", c.hostname);
  root.read("Domainname", c.domainname);
  root.read("User", c.user);
  root.read("AttachStdin", c.attach_stdin);
  root.read("AttachStdout", c.attach_stdout);
  root.read("AttachStderr", c.attach_stderr);
  root.read_keys("ExposedPorts", c.exposed_ports);
  root.read("Tty", c.tty);
  root.read("OpenStdin", c.open_stdin);
  root.read("StdinOnce", c.stdin_once);
  root.read("Env", c.env);
  root.read_strslice("Cmd", c.cmd);
  if (root.find("Healthcheck") != nullptr) {
    auto h = root.nested("Healthcheck", "HealthcheckConfig");
    healthcheck_config hc;
    h.read("Test", hc.test);
    h.read("Interval", hc.interval);
    h.read("Timeout", hc.timeout);
    h.read("StartPeriod", hc.start_period);
    h.read("StartInterval", hc.start_interval);
    h.read("Retries", hc.retries);
    root.absorb(h);
    c.healthcheck = std::move(hc);
  }
  root.read("ArgsEscaped", c.args_escaped);
  root.read("Image", c.image);
  root.read_keys("Volumes", c.volumes);
  root.read("WorkingDir", c.working_dir);
  root.read_strslice("Entrypoint", c.entrypoint);
  root.read("NetworkDisabled", c.network_disabled);
  root.read("MacAddress", c.mac_address);
  root.read("OnBuild", c.on_build);
  root.read("Labels", c.labels);
  root.read("StopSignal", c.stop_signal);
  root.read("StopTimeout", c.stop_timeout);
  root.read_strslice("Shell", c.shell);
  return c;
}

caf::expected<container_config> parse_container_config(const json& body) {
  if (auto err = check_body(body)) return err;
  json_fields root{&body, "CreateRequest", ""};
  auto c = decode_config(root);
  if (!root.ok()) return root.error();
  if (!c.working_dir.empty()) {
    if (c.working_dir.front() != '/')
      return invalid("the working directory '" + c.working_dir +
                     "' is invalid, it needs to be an absolute path");
    c.working_dir = clean_path(c.working_dir);
  }
  if (!c.stop_signal.empty()) {
    if (auto err = validate_signal(c.stop_signal)) return err;
  }
  for (const auto& e : c.env) {
    if (e.empty() || e.front() == '=') return invalid("invalid environment variable: " + e);
  }
  if (c.healthcheck) {
    if (auto err = validate_healthcheck(*c.healthcheck)) return err;
  }
  return c;
}

caf::expected<host_config> read_stored_host_config(const json& stored) {
  json_fields host{&stored, "HostConfig", "HostConfig"};
  auto h = decode_host_config(host);
  if (!host.ok()) return host.error();
  return h;
}

caf::expected<host_config> parse_host_config(const json& body, const host_limits& limits) {
  if (auto err = check_body(body)) return err;
  json_fields root{&body, "CreateRequest", ""};
  auto host = root.nested("HostConfig", "HostConfig");
  auto h = decode_host_config(host);
  if (!host.ok()) return host.error();
  // The Config fields the network-mode checks need, read leniently (parse_container_config
  // reports their errors).
  json_fields lenient{body.is_object() ? &body : nullptr, "CreateRequest", ""};
  container_config c;
  lenient.read("Hostname", c.hostname);
  lenient.read_keys("ExposedPorts", c.exposed_ports);
  for (auto* caps : {&h.cap_add, &h.cap_drop}) {
    for (auto& cap : *caps) {
      auto n = normalize_capability(cap);
      if (!n)
        return invalid(std::string(caps == &h.cap_add ? "invalid CapAdd: " : "invalid CapDrop: ") +
                       error_message(n.error()));
      cap = *n;
    }
  }
  if (auto err = validate_host_config(h, c, limits)) return err;
  return h;
}

} // namespace berth::runtime
