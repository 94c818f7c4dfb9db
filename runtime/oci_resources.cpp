// The cgroup resources and device list of a container's OCI spec, as dockerd's WithResources and
// WithDevices build them.
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "runtime/host_devices.hpp"
#include "runtime/oci_spec_parts.hpp"

namespace berth::runtime {

namespace {

using json = nlohmann::json;

/// One device-cgroup rule; a wildcard major or minor is left out (the runtime-spec's "all").
json device_rule(bool allow, const char* type, int64_t major_number, int64_t minor_number,
                 const char* access) {
  json rule = {{"allow", allow}};
  if (type != nullptr) rule["type"] = type;
  if (major_number >= 0) rule["major"] = major_number;
  if (minor_number >= 0) rule["minor"] = minor_number;
  rule["access"] = access;
  return rule;
}

/// Docker's device allow-list for unprivileged containers: nothing, then mknod of any device,
/// and the standard character devices.
json default_device_rules() {
  return json::array({
      device_rule(false, nullptr, -1, -1, "rwm"), device_rule(true, "c", -1, -1, "m"),
      device_rule(true, "b", -1, -1, "m"), device_rule(true, "c", 1, 3, "rwm"), // /dev/null
      device_rule(true, "c", 1, 5, "rwm"),                                      // /dev/zero
      device_rule(true, "c", 1, 7, "rwm"),                                      // /dev/full
      device_rule(true, "c", 1, 8, "rwm"),                                      // /dev/random
      device_rule(true, "c", 1, 9, "rwm"),                                      // /dev/urandom
      device_rule(true, "c", 5, 0, "rwm"),                                      // /dev/tty
      device_rule(true, "c", 5, 1, "rwm"),                                      // /dev/console
      device_rule(true, "c", 5, 2, "rwm"),                                      // /dev/ptmx
      device_rule(true, "c", 136, -1, "rwm"),                                   // /dev/pts/*
      device_rule(true, "c", 10, 200, "rwm"),                                   // /dev/net/tun
  });
}

/// "c 1:3 rwm" (validated at create) → a rule.
json parse_cgroup_rule(const std::string& rule) {
  auto space = rule.find(' ', 2);
  auto numbers = rule.substr(2, space - 2);
  auto colon = numbers.find(':');
  auto number = [](const std::string& n) -> int64_t { return n == "*" ? -1 : std::stoll(n); };
  std::string type(1, rule[0]);
  json r = {{"allow", true}};
  r["type"] = type;
  if (auto major_number = number(numbers.substr(0, colon)); major_number >= 0)
    r["major"] = major_number;
  if (auto minor_number = number(numbers.substr(colon + 1)); minor_number >= 0)
    r["minor"] = minor_number;
  r["access"] = rule.substr(space + 1);
  return r;
}

caf::expected<std::pair<int64_t, int64_t>> device_numbers(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return sys::error_from_errno("stat", path, errno);
  return std::pair<int64_t, int64_t>{major(st.st_rdev), minor(st.st_rdev)};
}

/// BlkioWeightDevice / BlkioDevice*Bps / *IOps entries → runtime-spec device entries.
caf::expected<json> blkio_devices(const std::vector<json>& entries, const char* value_key,
                                  const char* spec_key) {
  auto out = json::array();
  for (const auto& e : entries) {
    auto numbers = device_numbers(e.value("Path", std::string{}));
    if (!numbers) return numbers.error();
    out.push_back({{"major", numbers->first},
                   {"minor", numbers->second},
                   {spec_key, e.value(value_key, int64_t{0})}});
  }
  return out;
}

caf::error add_devices(const spec_inputs& in, spec_resources& out) {
  const auto& h = in.host;
  auto rules = json::array();
  if (h.privileged) {
    auto all = host_devices();
    if (!all) return all.error();
    out.devices = std::move(*all);
    rules.push_back(device_rule(true, nullptr, -1, -1, "rwm"));
  } else {
    rules = default_device_rules();
  }
  for (const auto& d : h.devices) {
    auto host_path = d.value("PathOnHost", std::string{});
    auto container_path = d.value("PathInContainer", std::string{});
    if (container_path.empty()) container_path = host_path;
    auto permissions = h.privileged ? std::string("rwm") : d.value("CgroupPermissions", "rwm");
    if (permissions.empty()) permissions = "rwm";
    // Privileged containers already have every host device at its own path.
    if (h.privileged && host_path == container_path) continue;
    auto grant = devices_from_path(host_path, container_path, permissions);
    if (!grant) return grant.error();
    for (auto& dev : grant->devices)
      out.devices.push_back(std::move(dev));
    if (!h.privileged)
      for (auto& r : grant->rules)
        rules.push_back(std::move(r));
  }
  if (!h.privileged) {
    for (const auto& r : h.device_cgroup_rules)
      rules.push_back(parse_cgroup_rule(r));
  }
  if (!h.device_requests.empty())
    return make_error(errc::not_implemented,
                      "could not select device driver: device requests are not supported");
  out.resources["devices"] = std::move(rules);
  return {};
}

json memory_resources(const spec_inputs& in) {
  const auto& h = in.host;
  json memory = json::object();
  if (h.memory > 0) memory["limit"] = h.memory;
  if (h.memory_reservation > 0) memory["reservation"] = h.memory_reservation;
  if (h.memory_swap > 0) {
    memory["swap"] = h.memory_swap;
  } else if (h.memory_swap == 0 && h.memory > 0 && in.swap_accounting) {
    memory["swap"] = h.memory * 2; // dockerd's default: as much swap as memory
  }
  if (h.memory_swappiness >= 0) memory["swappiness"] = h.memory_swappiness;
  memory["disableOOMKiller"] = h.oom_kill_disable;
  return memory;
}

json cpu_resources(const host_config& h) {
  json cpu = json::object();
  if (h.cpu_shares > 0) cpu["shares"] = h.cpu_shares;
  if (!h.cpuset_cpus.empty()) cpu["cpus"] = h.cpuset_cpus;
  if (!h.cpuset_mems.empty()) cpu["mems"] = h.cpuset_mems;
  if (h.nano_cpus > 0) {
    constexpr int64_t period = 100000; // 100ms in µs
    cpu["period"] = period;
    cpu["quota"] = h.nano_cpus * period / 1'000'000'000;
  }
  if (h.cpu_period != 0) cpu["period"] = h.cpu_period;
  if (h.cpu_quota != 0) cpu["quota"] = h.cpu_quota;
  if (h.cpu_realtime_period != 0) cpu["realtimePeriod"] = h.cpu_realtime_period;
  if (h.cpu_realtime_runtime != 0) cpu["realtimeRuntime"] = h.cpu_realtime_runtime;
  return cpu;
}

} // namespace

caf::expected<spec_resources> oci_resources(const spec_inputs& in) {
  const auto& h = in.host;
  spec_resources out;
  if (auto err = add_devices(in, out)) return err;
  out.resources["memory"] = memory_resources(in);
  if (auto cpu = cpu_resources(h); !cpu.empty()) out.resources["cpu"] = std::move(cpu);
  if (h.pids_limit && *h.pids_limit > 0) out.resources["pids"] = {{"limit", *h.pids_limit}};
  json block_io = json::object();
  if (h.blkio_weight != 0) block_io["weight"] = h.blkio_weight;
  for (const auto& [entries, value_key, spec_key, field] :
       {std::tuple{&h.blkio_weight_device, "Weight", "weight", "weightDevice"},
        std::tuple{&h.blkio_device_read_bps, "Rate", "rate", "throttleReadBpsDevice"},
        std::tuple{&h.blkio_device_write_bps, "Rate", "rate", "throttleWriteBpsDevice"},
        std::tuple{&h.blkio_device_read_iops, "Rate", "rate", "throttleReadIOPSDevice"},
        std::tuple{&h.blkio_device_write_iops, "Rate", "rate", "throttleWriteIOPSDevice"}}) {
    if (entries->empty()) continue;
    auto list = blkio_devices(*entries, value_key, spec_key);
    if (!list) return list.error();
    block_io[field] = std::move(*list);
  }
  out.resources["blockIO"] = std::move(block_io);
  return out;
}

} // namespace berth::runtime
