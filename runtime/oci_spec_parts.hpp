// The larger parts of a container's OCI spec, built for make_oci_spec: the mount list
// (oci_mounts.cpp) and the cgroup resources with the device list (oci_resources.cpp).
#pragma once

#include <string>

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include "runtime/oci_spec.hpp"
#include "runtime/security_options.hpp"

namespace berth::runtime {

struct spec_mounts {
  nlohmann::json mounts = nlohmann::json::array();
  std::string rootfs_propagation; ///< "" unless a bind mount needs shared or slave propagation
};

/// `mounts`: Docker's defaults (minus those a user mount replaces), the init binary when `init`,
/// then the user's mounts (binds, --mount, volumes, --tmpfs, the host's /dev/shm for
/// --ipc=host, the hosts/hostname/resolv.conf files) sorted by depth; read-only and privileged
/// adjustments as dockerd makes them.
[[nodiscard]] caf::expected<spec_mounts> oci_mounts(const spec_inputs& in,
                                                    const security_options& security, bool init);

struct spec_resources {
  nlohmann::json resources = nlohmann::json::object(); ///< linux.resources
  nlohmann::json devices = nlohmann::json::array();    ///< linux.devices
};

/// `linux.resources` (device cgroup, memory, CPU, pids, block I/O) and `linux.devices`.
[[nodiscard]] caf::expected<spec_resources> oci_resources(const spec_inputs& in);

} // namespace berth::runtime
