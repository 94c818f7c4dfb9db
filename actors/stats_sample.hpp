// One `docker stats` sample of a container (cgroup counters, the host's CPU time, the
// interfaces of its network namespace) and what the sampler needs to take it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/expected.hpp>

#include "actors/container_record.hpp"
#include "config/daemon_config.hpp"
#include "net/net_dev.hpp"
#include "runtime/cgroup_stats.hpp"
#include "runtime/system_cpu.hpp"

namespace berth::actors {

/// A running container as the sampler reads it.
struct stats_target {
  std::string id;
  std::string name;         ///< without the leading '/'
  int pid = 0;              ///< its init on the host
  int64_t started_at = 0;   ///< tells a restarted container (new pid) from the one we know
  std::string cgroups_path; ///< linux.cgroupsPath as runc got it
  bool networks = true;     ///< false on the host's network or with NetworkDisabled
};

/// The target of a running container's record, with the daemon's cgroup parent.
[[nodiscard]] stats_target stats_target_of(const container_record& rec,
                                           const config::daemon_config& config);

struct container_sample {
  int64_t read_nanos = 0; ///< unix ns, when the reading began
  runtime::cgroup_stats cgroup;
  runtime::system_cpu system;
  /// Every interface of its namespace but lo; nullopt when the container has no networks.
  std::optional<std::vector<net::interface_statistics>> networks;
};

/// Reads one sample. Blocking (file reads; for the blocking pool), thread-safe; errc::not_found
/// when the container is gone.
[[nodiscard]] caf::expected<container_sample>
read_container_sample(const stats_target& target, bool cgroup_v2, uint64_t machine_memory);

} // namespace berth::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::stats_target)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::container_sample)
