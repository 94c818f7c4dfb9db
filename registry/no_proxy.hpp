// NO_PROXY (daemon.json `proxies.no-proxy`, `--no-proxy`, NO_PROXY/no_proxy) as Go's httpproxy
// reads it: comma-separated entries; "*" bypasses the proxy for everything; an IP address or a
// CIDR matches addresses; a domain name matches itself and its subdomains, ".domain" and
// "*.domain" only its subdomains; an entry with ":port" matches only that port. Malformed
// entries are ignored, as in Go.
// Thread-safety: a value; const functions are safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "registry/registry_config.hpp"

namespace berth::registry {

class no_proxy_list {
 public:
  /// Parses the list (never fails; entries are trimmed and lowercased).
  [[nodiscard]] static no_proxy_list parse(std::string_view text);

  /// True when a request to `host` (lowercase; IPv6 without brackets) on `port` goes direct.
  /// The loopback rule (never proxy localhost or loopback addresses) is not part of the list:
  /// see proxy_config.
  [[nodiscard]] bool matches(std::string_view host, uint16_t port) const;

 private:
  struct ip_entry {
    ip_prefix prefix;
    std::string port; ///< empty: any port
  };
  struct domain_entry {
    std::string suffix;      ///< ".example.com"
    bool match_host = false; ///< "example.com" itself too (entries without a leading dot)
    std::string port;
  };
  bool all_ = false;
  std::vector<ip_entry> ips_;
  std::vector<domain_entry> domains_;
};

} // namespace berth::registry
