// Device nodes of this host as OCI `linux.devices` entries: every device under /dev for a
// privileged container, or the ones named by --device.
#pragma once

#include <string>

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

namespace berth::runtime {

/// Devices (and their device-cgroup rules) that one --device grants.
struct device_grant {
  nlohmann::json devices = nlohmann::json::array(); ///< linux.devices entries
  nlohmann::json rules = nlohmann::json::array();   ///< linux.resources.devices entries
};

/// Every character, block and FIFO device under /dev (not /dev/pts, /dev/shm, /dev/mqueue,
/// /dev/fd, /dev/console and the lxc/udev private directories), like containerd's HostDevices.
[[nodiscard]] caf::expected<nlohmann::json> host_devices();

/// One --device: `host_path` (a device, a symlink to one, or a directory of devices) appears at
/// `container_path` with cgroup access `permissions` ("rwm"), like dockerd's DevicesFromPath.
[[nodiscard]] caf::expected<device_grant> devices_from_path(const std::string& host_path,
                                                            const std::string& container_path,
                                                            const std::string& permissions);

} // namespace berth::runtime
