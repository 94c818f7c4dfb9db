// The per-container /etc/hostname, /etc/hosts and /etc/resolv.conf, as dockerd and libnetwork
// write them.
#include "runtime/container_files.hpp"

#include <arpa/inet.h>
#include <cctype>
#include <cstring>
#include <optional>

#include "runtime/go_text.hpp"

namespace berth::runtime {

namespace {

struct ip_address {
  std::string text; ///< normalized (inet_ntop), zone kept
  bool v6 = false;
  bool loopback = false;
};

/// Parses an address like Go's netip.ParseAddr (zones allowed on IPv6), renders it normalized.
std::optional<ip_address> parse_ip(std::string text) {
  if (text.size() > 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  std::string zone;
  if (auto pct = text.find('%'); pct != std::string::npos) {
    zone = text.substr(pct);
    text.erase(pct);
  }
  char buf[INET6_ADDRSTRLEN];
  unsigned char v4[4];
  if (zone.empty() && inet_pton(AF_INET, text.c_str(), v4) == 1) {
    inet_ntop(AF_INET, v4, buf, sizeof buf);
    return ip_address{buf, false, v4[0] == 127};
  }
  unsigned char v6[16];
  if (inet_pton(AF_INET6, text.c_str(), v6) != 1) return std::nullopt;
  inet_ntop(AF_INET6, v6, buf, sizeof buf);
  static const unsigned char loopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  static const unsigned char mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  bool loopback = std::memcmp(v6, loopback6, 16) == 0 ||
                  (std::memcmp(v6, mapped_prefix, 12) == 0 && v6[12] == 127);
  return ip_address{std::string(buf) + zone, true, loopback};
}

std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i])))
      ++i;
    size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i])))
      ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

/// The last "ndots" among resolver options.
bool has_ndots(const std::vector<std::string>& options) {
  for (const auto& o : options)
    if (o.substr(0, o.find(':')) == "ndots") return true;
  return false;
}

struct parsed_resolv_conf {
  std::vector<ip_address> nameservers;
  std::vector<std::string> search, options, other, invalid;
};

// Reads a resolv.conf like libnetwork's resolvconf package.
parsed_resolv_conf parse_resolv_conf(const std::string& text) {
  parsed_resolv_conf p;
  for (const auto& line : split(text, '\n')) {
    auto f = fields(line);
    if (f.empty() || f[0][0] == '#' || f[0][0] == ';') continue;
    if (f[0] == "nameserver") {
      if (f.size() < 2) continue;
      if (auto ip = parse_ip(f[1]); ip && f[1].front() != '[') {
        p.nameservers.push_back(*ip);
      } else {
        p.invalid.push_back(f[1]);
      }
    } else if (f[0] == "domain" || f[0] == "search") {
      if (f.size() < 2) continue;
      p.search.assign(f.begin() + 1, f.end()); // only the last one counts
    } else if (f[0] == "options") {
      if (f.size() < 2) continue;
      p.options.insert(p.options.end(), f.begin() + 1, f.end());
    } else {
      p.other.push_back(line);
    }
  }
  return p;
}

} // namespace

std::string hostname_file(const std::string& hostname) {
  return hostname + "\n";
}

std::string hosts_file(const std::string& hostname, const std::string& domainname,
                       const std::string& address, const std::vector<std::string>& extra_hosts,
                       const std::string& gateway, bool ipv6) {
  std::string out = "127.0.0.1\tlocalhost\n";
  if (ipv6) {
    out += "::1\tlocalhost ip6-localhost ip6-loopback\n"
           "fe00::\tip6-localnet\n"
           "ff00::\tip6-mcastprefix\n"
           "ff02::1\tip6-allnodes\n"
           "ff02::2\tip6-allrouters\n";
  }
  for (const auto& entry : extra_hosts) {
    auto sep = entry.find(':');
    if (sep == std::string::npos) sep = entry.find('=');
    if (sep == std::string::npos) continue; // refused at create
    auto name = entry.substr(0, sep);
    auto value = entry.substr(sep + 1);
    if (value == "host-gateway") value = gateway;
    auto ip = parse_ip(value);
    if (!ip || (ip->v6 && !ipv6)) continue;
    out += ip->text + "\t" + name + "\n";
  }
  if (!address.empty()) {
    if (auto ip = parse_ip(address)) {
      // libnetwork lists the FQDN and the bare host name.
      auto names = hostname;
      if (!domainname.empty()) names += "." + domainname;
      if (auto dot = names.find('.'); dot != std::string::npos) names += " " + names.substr(0, dot);
      out += ip->text + "\t" + names + "\n";
    }
  }
  return out;
}

std::vector<std::string> resolv_conf_nameservers(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& ip : parse_resolv_conf(text).nameservers)
    out.push_back(ip.text);
  return out;
}

std::string resolv_conf_file(const std::string& host_resolv_conf, bool host_network,
                             const std::vector<std::string>& dns,
                             const std::vector<std::string>& dns_search,
                             const std::vector<std::string>& dns_options, bool ipv6,
                             const std::string& source_path) {
  auto parsed = parse_resolv_conf(host_resolv_conf);
  auto& nameservers = parsed.nameservers;
  auto& search = parsed.search;
  auto& options = parsed.options;
  auto& other = parsed.other;
  auto& invalid = parsed.invalid;
  std::vector<std::string> warnings, overrides;
  std::string ndots_from = has_ndots(options) ? "host" : "";
  bool ns_override = !dns.empty();
  if (ns_override) {
    nameservers.clear();
    for (const auto& d : dns) {
      if (auto ip = parse_ip(d)) nameservers.push_back(*ip);
    }
    overrides.emplace_back("nameservers");
  }
  if (!dns_search.empty()) {
    search.clear();
    for (const auto& s : dns_search)
      if (s != ".") search.push_back(s);
    overrides.emplace_back("search");
  }
  if (!dns_options.empty()) {
    options = dns_options;
    ndots_from = has_ndots(options) ? "override" : "";
    overrides.emplace_back("options");
  }
  if (!host_network && !ns_override) {
    // A container with its own network namespace cannot reach the host's loopback resolvers.
    std::vector<ip_address> kept;
    for (const auto& ns : nameservers)
      if (!ns.loopback && (!ns.v6 || ipv6)) kept.push_back(ns);
    nameservers = std::move(kept);
    if (nameservers.empty()) {
      nameservers = {{"8.8.8.8", false, false}, {"8.8.4.4", false, false}};
      if (ipv6) {
        nameservers.push_back({"2001:4860:4860::8888", true, false});
        nameservers.push_back({"2001:4860:4860::8844", true, false});
      }
      warnings.emplace_back("Used default nameservers.");
    }
  }
  std::string out = "# Generated by Docker Engine.\n"
                    "# This file can be edited; Docker Engine will not make further changes once "
                    "it\n"
                    "# has been modified.\n\n";
  for (const auto& ns : nameservers)
    out += "nameserver " + ns.text + "\n";
  if (!search.empty()) out += "search " + join(search, " ") + "\n";
  if (!options.empty()) out += "options " + join(options, " ") + "\n";
  if (!other.empty()) out += join(other, "\n") + "\n";
  out += "\n# Based on host file: '" + source_path + "'" + (host_network ? "" : " (legacy)") + "\n";
  for (const auto& w : warnings)
    out += "# " + w + "\n";
  if (!invalid.empty()) out += "# Invalid nameservers: [" + join(invalid, " ") + "]\n";
  out += "# Overrides: [" + join(overrides, " ") + "]\n";
  if (!ndots_from.empty()) out += "# Option ndots from: " + ndots_from + "\n";
  return out;
}

} // namespace berth::runtime
