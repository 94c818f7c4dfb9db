// One docker stats sample of a container.
#include "actors/stats_sample.hpp"

#include <algorithm>

#include "base/time.hpp"
#include "runtime/cgroup_stats_reader.hpp"
#include "runtime/oci_spec.hpp"

namespace berth::actors {

stats_target stats_target_of(const container_record& rec, const config::daemon_config& config) {
  stats_target t;
  t.id = rec.id;
  t.name = rec.name;
  t.pid = rec.pid;
  t.started_at = rec.started_at;
  auto parent =
      config.cgroup_parent.empty() ? runtime::spec_defaults{}.cgroup_parent : config.cgroup_parent;
  t.cgroups_path = runtime::container_cgroups_path(rec.host, parent, rec.id);
  // dockerd reports the sandbox's interfaces: none on the host's network.
  t.networks = !rec.config.network_disabled && rec.host.network_mode != "host";
  return t;
}

caf::expected<container_sample> read_container_sample(const stats_target& target, bool cgroup_v2,
                                                      uint64_t machine_memory) {
  container_sample s;
  s.read_nanos = unix_nanos_now();
  auto where = runtime::locate_cgroup(target.cgroups_path, target.pid, cgroup_v2);
  if (!where) return where.error();
  auto cgroup = runtime::read_cgroup_stats(*where, machine_memory);
  if (!cgroup) return cgroup.error();
  s.cgroup = std::move(*cgroup);
  // Right after the cgroup, so both sides of the CPU ratio are read together (as dockerd does).
  auto system = runtime::read_system_cpu();
  if (!system) return system.error();
  s.system = *system;
  if (target.networks) {
    auto interfaces = net::read_net_dev(target.pid);
    if (!interfaces) return interfaces.error();
    std::erase_if(*interfaces, [](const net::interface_statistics& i) { return i.name == "lo"; });
    s.networks = std::move(*interfaces);
  }
  return s;
}

} // namespace berth::actors
