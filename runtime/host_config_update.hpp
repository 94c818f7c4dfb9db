// POST /containers/{id}/update: dockerd's rules for changing a container's resources and restart
// policy, and the OCI LinuxResources a running container gets through `<runtime> update`. Pure.
#pragma once

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include "runtime/container_config.hpp"

namespace berth::runtime {

/// Applies an update body (Memory, MemorySwap, MemoryReservation, NanoCpus, CpuShares, CpuPeriod,
/// CpuQuota, CpusetCpus, CpusetMems, PidsLimit, BlkioWeight, RestartPolicy) to `current` like
/// dockerd: zero/absent values keep the current setting (PidsLimit: absent keeps it, <= 0 means
/// unlimited), NanoCpus and CpuPeriod/CpuQuota exclude each other, Memory above the current swap
/// limit needs MemorySwap too, a restart policy with AutoRemove is refused. The result passes the
/// create-time checks (validate_host_config). Errors are errc::invalid_argument with dockerd's
/// messages.
[[nodiscard]] caf::expected<host_config> apply_update(const host_config& current,
                                                      const container_config& config,
                                                      const nlohmann::json& body,
                                                      const host_limits& limits);

/// The LinuxResources object for `<runtime> update --resources`: memory, cpu, pids, blockIO of
/// `host` as a new container would get them (no device rules).
[[nodiscard]] caf::expected<nlohmann::json> update_resources(const host_config& host,
                                                             bool swap_accounting);

} // namespace berth::runtime
