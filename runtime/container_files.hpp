// The files dockerd generates for each container and bind-mounts over /etc/hosts, /etc/hostname
// and /etc/resolv.conf.
#pragma once

#include <string>
#include <vector>

namespace berth::runtime {

/// /etc/hostname: the hostname and a newline.
[[nodiscard]] std::string hostname_file(const std::string& hostname);

/// /etc/hosts: localhost entries (IPv4 and IPv6), the container's own address and names when it
/// has one (`address` may be empty), then ExtraHosts ("name:ip" or "name=ip", "host-gateway"
/// resolved to `gateway`).
[[nodiscard]] std::string hosts_file(const std::string& hostname, const std::string& domainname,
                                     const std::string& address,
                                     const std::vector<std::string>& extra_hosts,
                                     const std::string& gateway);

/// /etc/resolv.conf from the host's (`host_resolv_conf`, its content): nameservers on loopback
/// are dropped for containers with their own network namespace (they would not reach the host's
/// resolver), falling back to dockerd's defaults (8.8.8.8, 8.8.4.4) when none remain; --dns,
/// --dns-search and --dns-option replace the respective lines. With the host network the host's
/// file is used as it is (plus overrides).
[[nodiscard]] std::string resolv_conf_file(const std::string& host_resolv_conf, bool host_network,
                                           const std::vector<std::string>& dns,
                                           const std::vector<std::string>& dns_search,
                                           const std::vector<std::string>& dns_options);

} // namespace berth::runtime
