// NO_PROXY matching, Go's rules.
#include "registry/no_proxy.hpp"

#include <cctype>

#include "base/ascii.hpp"

namespace berth::registry {

namespace {

std::string lower_trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return ascii_lower(s);
}

/// Go's net.SplitHostPort for an entry: "host:port", "[v6]:port"; nullopt when the entry has no
/// port (or is a bare IPv6 address).
std::optional<std::pair<std::string, std::string>> split_host_port(const std::string& entry) {
  if (entry.starts_with('[')) {
    auto close = entry.find(']');
    if (close == std::string::npos || close + 1 >= entry.size() || entry[close + 1] != ':')
      return std::nullopt;
    return std::pair{entry.substr(1, close - 1), entry.substr(close + 2)};
  }
  auto colon = entry.find(':');
  if (colon == std::string::npos || entry.find(':', colon + 1) != std::string::npos)
    return std::nullopt;
  return std::pair{entry.substr(0, colon), entry.substr(colon + 1)};
}

/// An IP literal as a full-length prefix.
std::optional<ip_prefix> address_prefix(const std::string& host) {
  if (auto v4 = ip_prefix::parse(host + "/32")) return v4;
  return ip_prefix::parse(host + "/128");
}

bool is_ip_literal(std::string_view host) {
  return address_prefix(std::string(host)).has_value();
}

} // namespace

no_proxy_list no_proxy_list::parse(std::string_view text) {
  no_proxy_list out;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto entry = lower_trimmed(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (entry.empty()) continue;
    if (entry == "*") {
      out.all_ = true;
      continue;
    }
    if (entry.find('/') != std::string::npos) {
      if (auto cidr = ip_prefix::parse(entry)) out.ips_.push_back({*cidr, {}});
      continue; // a malformed CIDR matches nothing
    }
    std::string host = entry;
    std::string port;
    if (auto split = split_host_port(entry)) {
      host = split->first;
      port = split->second;
      if (host.empty()) continue;
    } else if (host.starts_with('[') && host.ends_with(']')) {
      host = host.substr(1, host.size() - 2);
    }
    if (auto address = address_prefix(host)) {
      out.ips_.push_back({*address, port});
      continue;
    }
    if (host.starts_with("*.")) host = host.substr(1);
    domain_entry domain;
    domain.port = port;
    if (host.front() != '.') {
      domain.match_host = true;
      host = "." + host;
    }
    if (host == ".") continue;
    domain.suffix = std::move(host);
    out.domains_.push_back(std::move(domain));
  }
  return out;
}

bool no_proxy_list::matches(std::string_view host, uint16_t port) const {
  if (all_) return true;
  auto port_text = std::to_string(port);
  auto port_matches = [&](const std::string& p) { return p.empty() || p == port_text; };
  if (is_ip_literal(host))
    for (const auto& ip : ips_)
      if (ip.prefix.contains(host) && port_matches(ip.port)) return true;
  for (const auto& d : domains_) {
    bool name_matches =
        host.ends_with(d.suffix) || (d.match_host && host == std::string_view(d.suffix).substr(1));
    if (name_matches && port_matches(d.port)) return true;
  }
  return false;
}

} // namespace berth::registry
