// The checks dockerd makes on a HostConfig at create time, with its messages, and the host facts
// (CPUs, cpusets) they need.
#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <initializer_list>
#include <sched.h>
#include <set>
#include <sys/stat.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "base/text_fields.hpp"
#include "runtime/container_config.hpp"
#include "runtime/go_text.hpp"
#include "runtime/mount_spec.hpp"
#include "runtime/security_options.hpp"

namespace berth::runtime {

namespace {

caf::error invalid(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

constexpr int64_t linux_min_memory = 6 * 1024 * 1024;
constexpr int default_max_cpus = 8192;

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

/// "container:<x>" → x; nullopt when `mode` is not a container mode.
std::optional<std::string> container_of(const std::string& mode) {
  if (!starts_with(mode, "container:")) return std::nullopt;
  return mode.substr(10);
}

bool is_ip_address(const std::string& text) {
  unsigned char buf[16];
  auto ip = trim_space(text);
  return inet_pton(AF_INET, ip.c_str(), buf) == 1 || inet_pton(AF_INET6, ip.c_str(), buf) == 1;
}

/// dockerd's parseUintList for cpusets ("0-2,4"), limited to `maximum`.
caf::expected<std::set<int>> parse_uint_list(const std::string& value, int maximum) {
  std::set<int> out;
  if (value.empty()) return out;
  auto bad_format = [&] { return invalid("invalid format: " + value); };
  size_t start = 0;
  while (true) {
    auto comma = value.find(',', start);
    auto item = value.substr(start, comma == std::string::npos ? comma : comma - start);
    auto dash = item.find('-');
    auto lo = parse_go_int(item.substr(0, dash));
    auto hi = dash == std::string::npos ? lo : parse_go_int(item.substr(dash + 1));
    if (!lo || !hi || *hi < *lo) return bad_format();
    if (maximum != 0 && *hi > maximum)
      return invalid("value of out range, maximum is " + std::to_string(maximum));
    for (auto i = *lo; i <= *hi; ++i)
      out.insert(static_cast<int>(i));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

/// dockerd's cpuset check: "Invalid value 0-x for cpuset cpus: invalid format: 0-x", then
/// "Requested CPUs are not available - requested 4, available: 0-1".
caf::error check_cpuset(const std::string& requested, const std::string& available,
                        const std::string& what, const std::string& unavailable_noun) {
  if (requested.empty()) return {};
  auto avail = parse_uint_list(available, 0);
  int maximum = default_max_cpus;
  if (avail && !avail->empty()) maximum = std::max(maximum, *avail->rbegin());
  auto wanted = parse_uint_list(requested, maximum);
  if (!wanted)
    return invalid("Invalid value " + requested + " for cpuset " + what + ": " +
                   error_message(wanted.error()));
  for (int i : *wanted) {
    if (!avail || !avail->count(i))
      return invalid("Requested " + unavailable_noun + " are not available - requested " +
                     requested + ", available: " + available);
  }
  return {};
}

/// nat.ParsePortRange for a host port ("8080", "8000-8010", "" = any).
bool valid_host_port(const std::string& spec) {
  // Like nat.SplitProtoPort: "8080/tcp" → "8080".
  auto port = spec.substr(0, spec.find('/'));
  if (port.empty()) return true;
  auto dash = port.find('-');
  if (dash == std::string::npos) return parse_u64(port, 16).has_value();
  auto rest = port.substr(dash + 1);
  auto lo = parse_u64(port.substr(0, dash), 16);
  auto hi = parse_u64(rest.substr(0, rest.find('-')), 16);
  return lo && hi && *hi >= *lo;
}

caf::error validate_port_bindings(const host_config& h) {
  for (const auto& [port, bindings] : h.port_bindings) {
    auto number = port.substr(0, port.find('/'));
    if (!number.empty() && !parse_u64(number, 16))
      return invalid("invalid port specification: " + go_quote(number));
    for (const auto& b : bindings) {
      if (!valid_host_port(b.host_port))
        return invalid("invalid port specification: " + go_quote(b.host_port));
    }
  }
  return {};
}

caf::error validate_restart_policy(const restart_policy& p) {
  const auto& n = p.name;
  if (n == "always" || n == "unless-stopped" || n == "no") {
    if (p.maximum_retry_count != 0) {
      std::string msg =
          "invalid restart policy: maximum retry count can only be used with 'on-failure'";
      if (p.maximum_retry_count < 0) msg += " and cannot be negative";
      return invalid(msg);
    }
    return {};
  }
  if (n == "on-failure") {
    if (p.maximum_retry_count < 0)
      return invalid("invalid restart policy: maximum retry count cannot be negative");
    return {};
  }
  if (n.empty()) return {}; // what dockerd before v25 stored for "no"
  return invalid("invalid restart policy: unknown policy '" + n +
                 "'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
}

caf::error validate_extra_host(const std::string& entry) {
  auto sep = entry.find(':');
  if (sep == std::string::npos) sep = entry.find('=');
  if (sep == std::string::npos || sep == 0)
    return invalid("bad format for add-host: " + go_quote(entry));
  auto ip = entry.substr(sep + 1);
  if (ip != "host-gateway" && !is_ip_address(ip))
    return invalid("invalid IP address in add-host: " + go_quote(ip));
  return {};
}

caf::error validate_ulimit(const ulimit_setting& u) {
  static const std::set<std::string> names = {
      "core",   "cpu",   "data", "fsize",  "locks",  "memlock",    "msgqueue", "nice",
      "nofile", "nproc", "rss",  "rtprio", "rttime", "sigpending", "stack",
  };
  if (!names.count(u.name)) return invalid("invalid ulimit type: " + u.name);
  if (u.hard != -1) {
    if (u.soft == -1)
      return invalid(
          "ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), "
          "hard: " +
          std::to_string(u.hard));
    if (u.soft > u.hard)
      return invalid("ulimit soft limit must be less than or equal to hard limit: " +
                     std::to_string(u.soft) + " > " + std::to_string(u.hard));
  }
  return {};
}

/// "c 1:3 rwm", "a *:* m", "b 8:* r".
bool valid_device_cgroup_rule(const std::string& rule) {
  if (rule.size() < 7 || (rule[0] != 'a' && rule[0] != 'b' && rule[0] != 'c') || rule[1] != ' ')
    return false;
  auto space = rule.find(' ', 2);
  if (space == std::string::npos) return false;
  auto numbers = rule.substr(2, space - 2);
  auto access = rule.substr(space + 1);
  auto colon = numbers.find(':');
  if (colon == std::string::npos) return false;
  auto number_ok = [](const std::string& n) {
    return n == "*" || (!n.empty() && std::all_of(n.begin(), n.end(),
                                                  [](char c) { return c >= '0' && c <= '9'; }));
  };
  if (!number_ok(numbers.substr(0, colon)) || !number_ok(numbers.substr(colon + 1))) return false;
  return !access.empty() && access.size() <= 3 &&
         std::all_of(access.begin(), access.end(),
                     [](char c) { return c == 'r' || c == 'w' || c == 'm'; });
}

caf::error validate_volumes_from(const std::string& spec) {
  if (spec.empty()) return invalid("volumes-from specification cannot be an empty string");
  auto colon = spec.find(':');
  if (colon == std::string::npos) return {};
  auto mode = spec.substr(colon + 1);
  if (mode.empty()) return {};
  bool bad = !valid_bind_mode(mode);
  size_t start = 0;
  while (!bad) {
    auto comma = mode.find(',', start);
    auto o = mode.substr(start, comma == std::string::npos ? comma : comma - start);
    if (is_propagation_mode(o) || o == "nocopy") bad = true;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (bad) return invalid("invalid mode: " + mode);
  return {};
}

/// runconfig's checks while decoding: network/UTS conflicts, isolation, QoS, realtime, shares.
caf::error validate_decoded(const host_config& h, const container_config& c,
                            const host_limits& limits) {
  if (h.network_mode == "container" || starts_with(h.network_mode, "container:")) {
    if (h.network_mode.size() <= 10)
      return invalid("invalid network mode: invalid container format container:<name|id>");
    if (!c.hostname.empty()) return invalid("conflicting options: hostname and the network mode");
    if (!h.links.empty())
      return invalid("conflicting options: container type network can't be used with links. "
                     "This would result in undefined behavior");
    if (!h.dns.empty()) return invalid("conflicting options: dns and the network mode");
    if (!h.extra_hosts.empty())
      return invalid("conflicting options: custom host-to-IP mapping and the network mode");
    if (!h.port_bindings.empty() || h.publish_all_ports)
      return invalid("conflicting options: port publishing and the container type network mode");
    if (!c.exposed_ports.empty())
      return invalid("conflicting options: port exposing and the container type network mode");
  }
  if (h.uts_mode == "host" && !c.hostname.empty())
    return invalid("conflicting options: hostname and the UTS mode");
  if (h.network_mode == "host" && !h.links.empty())
    return invalid("conflicting options: host type networking can't be used with links. This "
                   "would result in undefined behavior");
  std::string isolation;
  for (char ch : h.isolation)
    isolation += static_cast<char>(std::tolower(ch));
  if (!isolation.empty() && isolation != "default")
    return invalid("invalid isolation (" + h.isolation + "): linux only supports 'default'");
  if (h.io_maximum_bandwidth != 0)
    return invalid("invalid option: QoS maximum bandwidth configuration is not supported on linux");
  if (h.io_maximum_iops != 0)
    return invalid("invalid option: QoS maximum IOPs configuration is not supported on linux");
  if ((h.cpu_realtime_period != 0 || h.cpu_realtime_runtime != 0) && !limits.cpu_realtime)
    return invalid("kernel does not support CPU real-time scheduler");
  if (h.cpu_realtime_period != 0 && h.cpu_realtime_runtime != 0 &&
      h.cpu_realtime_runtime > h.cpu_realtime_period)
    return invalid("cpu real-time runtime cannot be higher than cpu real-time period");
  if (h.cpu_shares < 0)
    return invalid("invalid CPU shares (" + std::to_string(h.cpu_shares) +
                   "): value must be a positive integer");
  return {};
}

/// dockerd's verifyPlatformContainerResources.
caf::error validate_resources(const host_config& h, const host_limits& limits) {
  if (h.memory != 0 && h.memory < linux_min_memory)
    return invalid("Minimum memory limit allowed is 6MB");
  if (h.memory > 0 && h.memory_swap > 0 && h.memory_swap < h.memory)
    return invalid("Minimum memoryswap limit should be larger than memory limit, see usage");
  if (h.memory == 0 && h.memory_swap > 0)
    return invalid("You should always set the Memory limit when using Memoryswap limit, see usage");
  if (h.memory_swappiness != -1 && (h.memory_swappiness < 0 || h.memory_swappiness > 100))
    return invalid("Invalid value: " + std::to_string(h.memory_swappiness) +
                   ", valid memory swappiness range is 0-100");
  if (h.memory_reservation > 0 && h.memory_reservation < linux_min_memory)
    return invalid("Minimum memory reservation allowed is 6MB");
  if (h.memory > 0 && h.memory_reservation > 0 && h.memory < h.memory_reservation)
    return invalid("Minimum memory limit can not be less than memory reservation limit, see usage");
  if (h.nano_cpus > 0 && h.cpu_period > 0)
    return invalid("Conflicting options: Nano CPUs and CPU Period cannot both be set");
  if (h.nano_cpus > 0 && h.cpu_quota > 0)
    return invalid("Conflicting options: Nano CPUs and CPU Quota cannot both be set");
  if (h.nano_cpus != 0 &&
      (h.nano_cpus < 0 || h.nano_cpus > static_cast<int64_t>(limits.ncpu) * 1'000'000'000)) {
    auto n = std::to_string(limits.ncpu);
    return invalid("range of CPUs is from 0.01 to " + n + ".00, as there are only " + n +
                   " CPUs available");
  }
  if (h.cpu_period != 0 && (h.cpu_period < 1000 || h.cpu_period > 1'000'000))
    return invalid(
        "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
  if (h.cpu_quota > 0 && h.cpu_quota < 1000)
    return invalid("CPU cfs quota can not be less than 1ms (i.e. 1000)");
  if (auto err = check_cpuset(h.cpuset_cpus, limits.cpus, "cpus", "CPUs")) return err;
  if (auto err = check_cpuset(h.cpuset_mems, limits.mems, "mems", "memory nodes")) return err;
  if (h.blkio_weight > 0 && (h.blkio_weight < 10 || h.blkio_weight > 1000))
    return invalid("Range of blkio weight is from 10 to 1000");
  for (const auto& w : h.blkio_weight_device) {
    auto weight = w.value("Weight", 0);
    if (weight != 0 && (weight < 10 || weight > 1000))
      return invalid("Range of blkio weight is from 10 to 1000");
  }
  return {};
}

/// dockerd's verifyPlatformContainerSettings after the resources.
caf::error validate_platform(const host_config& h) {
  auto ipc = container_of(h.ipc_mode);
  if (!h.ipc_mode.empty() && h.ipc_mode != "none" && h.ipc_mode != "private" &&
      h.ipc_mode != "host" && h.ipc_mode != "shareable" && !ipc)
    return invalid("invalid IPC mode: " + h.ipc_mode);
  auto pid = container_of(h.pid_mode);
  if (!h.pid_mode.empty() && h.pid_mode != "host" && !(pid && !pid->empty()))
    return invalid("invalid PID mode: " + h.pid_mode);
  if (h.shm_size < 0) return invalid("SHM size can not be less than 0");
  if (!h.uts_mode.empty() && h.uts_mode != "host")
    return invalid("invalid UTS mode: " + h.uts_mode);
  if (h.oom_score_adj < -1000 || h.oom_score_adj > 1000)
    return invalid("Invalid value " + std::to_string(h.oom_score_adj) +
                   ", range for oom score adj is [-1000, 1000]");
  for (const auto& [destination, data] : h.tmpfs) {
    if (auto err = validate_tmpfs_destination(destination)) return err;
    if (auto opts = tmpfs_mount_options(data); !opts) return opts.error();
  }
  if (!h.cgroupns_mode.empty() && h.cgroupns_mode != "private" && h.cgroupns_mode != "host")
    return invalid("invalid cgroup namespace mode: " + h.cgroupns_mode);
  return {};
}

/// The trimmed content of the first of `paths` that has some, else `fallback`.
std::string first_content(std::initializer_list<const char*> paths, const char* fallback) {
  for (const char* p : paths) {
    if (auto text = sys::read_file(p, 4096)) {
      if (auto v = trim_space(*text); !v.empty()) return v;
    }
  }
  return fallback;
}

} // namespace

const host_limits& host_limits::current() {
  static const host_limits limits = [] {
    host_limits l;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) l.ncpu = CPU_COUNT(&set);
    // cgroup v1 cpuset root, cgroup v2 root, then the kernel's own lists.
    l.cpus =
        first_content({"/sys/fs/cgroup/cpuset/cpuset.cpus", "/sys/fs/cgroup/cpuset.cpus.effective",
                       "/sys/devices/system/cpu/online"},
                      "0");
    l.mems =
        first_content({"/sys/fs/cgroup/cpuset/cpuset.mems", "/sys/fs/cgroup/cpuset.mems.effective",
                       "/sys/devices/system/node/online"},
                      "0");
    struct stat st {};
    l.cpu_realtime = ::stat("/sys/fs/cgroup/cpu/cpu.rt_period_us", &st) == 0;
    l.capabilities = available_capabilities();
    return l;
  }();
  return limits;
}

caf::error validate_host_config(const host_config& h, const container_config& c,
                                const host_limits& limits) {
  if (auto err = validate_decoded(h, c, limits)) return err;
  // validateHostConfig (daemon/container.go).
  if (h.auto_remove && !(h.restart.name.empty() || h.restart.name == "no"))
    return invalid("can't create 'AutoRemove' container with restart policy");
  for (const auto& m : h.mounts) {
    if (auto err = validate_mount_config(m)) return err;
  }
  for (const auto& e : h.extra_hosts) {
    if (auto err = validate_extra_host(e)) return err;
  }
  if (auto err = validate_port_bindings(h)) return err;
  if (auto err = validate_restart_policy(h.restart)) return err;
  for (const auto& [list, what] :
       {std::pair{&h.cap_add, "invalid CapAdd: "}, std::pair{&h.cap_drop, "invalid CapDrop: "}}) {
    for (const auto& cap : *list) {
      auto n = normalize_capability(cap);
      if (!n) return invalid(std::string(what) + error_message(n.error()));
      const auto& usable = limits.capabilities;
      if (*n != "ALL" && !usable.empty() &&
          std::find(usable.begin(), usable.end(), *n) == usable.end())
        return invalid(std::string(what) +
                       "capability not supported by your kernel or not available in the "
                       "current environment: " +
                       go_quote(*n));
    }
  }
  for (const auto& [key, value] : h.annotations) {
    if (key.empty())
      return invalid("invalid Annotations: the empty string is not permitted as an annotation key");
  }
  if (auto err = validate_resources(h, limits)) return err;
  if (auto err = validate_platform(h)) return err;
  // What dockerd refuses later in create (mount points, security options) or start (ulimits,
  // device rules); refused here so that a bad request never becomes a container.
  std::set<std::string> targets;
  auto duplicate = [&](const std::string& target) {
    return !targets.insert(clean_path(target)).second;
  };
  for (const auto& b : h.binds) {
    auto m = parse_bind(b);
    if (!m) return m.error();
    if (duplicate(m->target)) return invalid("Duplicate mount point: " + m->target);
  }
  for (const auto& m : h.mounts) {
    if (duplicate(m.target)) return invalid("Duplicate mount point: " + clean_path(m.target));
  }
  for (const auto& [destination, data] : h.tmpfs) {
    if (duplicate(destination)) return invalid("Duplicate mount point: " + clean_path(destination));
  }
  for (const auto& v : h.volumes_from) {
    if (auto err = validate_volumes_from(v)) return err;
  }
  if (auto opts = parse_security_options(h.security_opt); !opts) return opts.error();
  for (const auto& u : h.ulimits) {
    if (auto err = validate_ulimit(u)) return err;
  }
  for (const auto& rule : h.device_cgroup_rules) {
    if (!valid_device_cgroup_rule(rule))
      return invalid("invalid device cgroup rule format: '" + rule + "'");
  }
  return {};
}

caf::error validate_bind_sources(const host_config& h) {
  for (const auto& m : h.mounts) {
    if (m.type != "bind" || m.bind_create_mountpoint) continue;
    struct stat st {};
    if (::stat(m.source.c_str(), &st) != 0) {
      if (errno == ENOENT)
        return make_error(errc::invalid_argument,
                          "invalid mount config for type \"bind\": bind source path does not "
                          "exist: " +
                              m.source);
      return make_error(errc::invalid_argument,
                        "invalid mount config for type \"bind\": " +
                            error_message(sys::error_from_errno("stat", m.source, errno)));
    }
  }
  return {};
}

} // namespace berth::runtime
