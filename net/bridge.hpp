// Linux bridges for Berth's bridge networks: the kernel side of Docker's bridge driver.
//
// Blocking (netlink); each call opens its own netlink socket, so calls are safe from any thread.
// Everything acts on the calling thread's network namespace (the host's, for the daemon).
#pragma once

#include <string>
#include <vector>

#include <caf/error.hpp>

#include "base/ipv4.hpp"
#include "net/link.hpp"

namespace berth::net {

/// What a bridge should look like.
struct bridge_settings {
  std::string name;                 ///< e.g. "berth0"; 1..15 characters
  int mtu = 1500;                   ///< 0 leaves the kernel's default
  std::string mac;                  ///< "aa:bb:cc:dd:ee:ff"; "" = stable_mac_for_name(name)
  std::vector<ipv4_cidr> addresses; ///< e.g. the gateway 172.17.0.1/16
};

/// Makes the bridge `settings.name` look like `settings` and brings it up. Creates it when missing;
/// when it exists as a bridge, sets its MAC and MTU and makes its IPv4 addresses exactly
/// `settings.addresses` (IPv6 ones are left alone), so calling it again is harmless. A link of
/// that name that is not a bridge is errc::conflict. The MAC is always set explicitly: otherwise
/// the kernel gives the bridge the lowest MAC of its ports, which changes as containers come and
/// go. A bridge this call created is deleted again when a later step fails.
[[nodiscard]] caf::error create_bridge(const bridge_settings& settings);

} // namespace berth::net
