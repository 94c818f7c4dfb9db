// Network sysctls (/proc/sys/net/...) read and written by key, e.g. "net.ipv4.ip_forward".
//
// Blocking (procfs); safe from any thread. Keys under /proc/sys/net belong to the network namespace
// of the calling THREAD (the kernel resolves them through the opener's namespace), so run these
// inside run_in_netns to touch a container's values.
//
// Per network namespace (each namespace has its own value; checked on Linux 6.x):
// net.ipv4.ip_forward, net.ipv4.conf.<if>.* (route_localnet, forwarding, rp_filter, ...),
// net.ipv4.conf.all/default.*, net.ipv4.ip_local_port_range, net.ipv4.ping_group_range,
// net.ipv4.ip_unprivileged_port_start, most net.ipv4.tcp_* and net.ipv4.neigh.*, net.ipv6.conf.*,
// net.core.somaxconn (and rmem/wmem_default/max on recent kernels), and
// net.bridge.bridge-nf-call-* (since Linux 5.3, with br_netfilter loaded).
// Global, visible only in the initial namespace (ENOENT elsewhere): net.core.netdev_max_backlog,
// net.ipv4.tcp_mem, net.ipv4.udp_mem. Visible but read-only outside the initial namespace:
// net.netfilter.nf_conntrack_max.
#pragma once

#include <string>

#include <caf/error.hpp>
#include <caf/expected.hpp>

namespace berth::net {

/// Turns a key into its /proc/sys path. Keys use '.' between parts, like sysctl(8); a key that
/// contains '/' uses '/' between parts instead, so interface names with dots work
/// ("net/ipv4/conf/eth0.100/forwarding"). Only keys under "net" are accepted.
[[nodiscard]] caf::expected<std::string> sysctl_path(const std::string& key);

/// Writes `value` to the sysctl `key`.
[[nodiscard]] caf::error write_sysctl(const std::string& key, const std::string& value);

/// Reads the sysctl `key`, without the trailing newline.
[[nodiscard]] caf::expected<std::string> read_sysctl(const std::string& key);

/// The same inside the namespace pinned at `netns` (on a thread of its own), or in the calling
/// thread's when `netns` is empty.
[[nodiscard]] caf::error write_sysctl_in(const std::string& netns, const std::string& key,
                                         const std::string& value);
[[nodiscard]] caf::expected<std::string> read_sysctl_in(const std::string& netns,
                                                        const std::string& key);

} // namespace berth::net
