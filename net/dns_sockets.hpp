// The listening sockets of a container's embedded DNS server. They are created inside the
// container's network namespace (a socket stays in the namespace it was made in), so the server
// can then run on the daemon's own threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "base/fd.hpp"

namespace berth::net {

/// dockerd's embedded DNS address inside every container on a user-defined network.
inline constexpr std::string_view dns_default_address = "127.0.0.11";

/// A bound UDP socket and a listening TCP socket, both non-blocking and close-on-exec.
struct dns_sockets {
  unique_fd udp;
  unique_fd tcp;
};

/// Binds UDP and TCP sockets to `address`:`port` inside the namespace pinned at `netns_path`
/// (setns happens on a short-lived thread of its own). Blocking: call it from the blocking pool.
[[nodiscard]] caf::expected<dns_sockets>
bind_dns_sockets(const std::string& netns_path, std::string_view address = dns_default_address,
                 uint16_t port = 53);

/// The same, in the calling thread's namespace (tests, or a caller already inside the netns).
[[nodiscard]] caf::expected<dns_sockets> bind_dns_sockets_here(std::string_view address,
                                                               uint16_t port);

} // namespace berth::net
