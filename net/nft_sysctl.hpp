// Writing a network sysctl (/proc/sys/net/...) in a given network namespace: /proc/sys/net shows
// the namespace of the thread that opens it, so a pinned namespace is entered on its own thread.
#pragma once

#include <string>
#include <string_view>

#include <caf/error.hpp>

namespace berth::net {

/// Writes `value` to /proc/sys/<path> (e.g. "net/ipv4/conf/br0/route_localnet") inside the
/// namespace pinned at `netns`, or the caller's own when empty. A missing key is errc::not_found.
/// Blocking; thread-safe.
[[nodiscard]] caf::error write_net_sysctl(const std::string& netns, const std::string& path,
                                          std::string_view value);

/// Reads /proc/sys/<path> the same way (trailing newline removed).
[[nodiscard]] caf::expected<std::string> read_net_sysctl(const std::string& netns,
                                                         const std::string& path);

} // namespace berth::net
