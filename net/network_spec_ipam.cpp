// IPAM.Config checks (network.ValidateIPAM) and libnetwork's local address space.
#include "net/network_spec_ipam.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>

#include "base/error.hpp"
#include "runtime/go_text.hpp"

namespace berth::net {

namespace {

/// netip.ParsePrefix, enough to tell IPv4 from IPv6 and to read IPv4 prefixes.
struct go_prefix {
  bool ipv6 = false;
  ipv4_cidr v4; ///< when !ipv6
};

bool decimal_without_leading_zero(std::string_view s) {
  if (s.empty() || s.size() > 3 || (s.size() > 1 && s[0] == '0')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool parse_ipv6(std::string_view text) {
  auto zone = text.find('%'); // netip.ParseAddr takes a zone; prefixes refuse it
  std::string addr(text.substr(0, zone));
  std::array<unsigned char, 16> buf{};
  return addr.size() <= INET6_ADDRSTRLEN && ::inet_pton(AF_INET6, addr.c_str(), buf.data()) == 1;
}

std::optional<go_prefix> parse_go_prefix(std::string_view text) {
  auto slash = text.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto addr = text.substr(0, slash);
  auto bits_text = text.substr(slash + 1);
  if (!decimal_without_leading_zero(bits_text)) return std::nullopt;
  int bits = std::stoi(std::string(bits_text));
  if (addr.find(':') != std::string_view::npos) {
    if (addr.find('%') != std::string_view::npos || !parse_ipv6(addr) || bits > 128)
      return std::nullopt;
    return go_prefix{true, {}};
  }
  auto v4 = ipv4_address::parse(addr);
  if (!v4 || bits > 32) return std::nullopt;
  return go_prefix{false, {*v4, bits}};
}

/// netip.ParseAddr: 4 = IPv4, 6 = IPv6, 0 = not an address.
int address_family(std::string_view text, std::optional<ipv4_address>& v4) {
  if (text.find(':') != std::string_view::npos) return parse_ipv6(text) ? 6 : 0;
  v4 = ipv4_address::parse(text);
  return v4 ? 4 : 0;
}

/// validateAddress: the reason a gateway or auxiliary address is wrong, or "".
std::string address_problem(const std::string& address, const ipv4_cidr& subnet) {
  if (address.empty()) return {};
  std::optional<ipv4_address> v4;
  switch (address_family(address, v4)) {
  case 0:
    return "invalid address";
  case 6:
    return "parent subnet is an IPv4 block";
  default:
    if (!subnet.contains(*v4))
      return "parent subnet " + subnet.to_string() + " doesn't contain this address";
    return {};
  }
}

/// validateIPRange.
void check_ip_range(const std::string& ip_range, const ipv4_cidr& subnet,
                    std::vector<std::string>& errs) {
  if (ip_range.empty()) return;
  auto prefix = parse_go_prefix(ip_range);
  if (!prefix) {
    errs.push_back("invalid ip-range " + ip_range + ": invalid CIDR block notation");
    return;
  }
  if (prefix->ipv6) {
    errs.push_back("invalid ip-range " + ip_range + ": parent subnet is an IPv4 block");
    return;
  }
  const auto& r = prefix->v4;
  if (r.prefix < subnet.prefix)
    errs.push_back("invalid ip-range " + ip_range +
                   ": CIDR block is bigger than its parent subnet " + subnet.to_string());
  if (r.canonical() != r)
    errs.push_back("invalid ip-range " + r.to_string() + ": it should be " +
                   r.canonical().to_string());
  if (!subnet.overlaps(r))
    errs.push_back("invalid ip-range " + ip_range + ": parent subnet " + subnet.to_string() +
                   " doesn't contain ip-range");
}

void check_config(const ipam_config_spec& c, std::vector<std::string>& errs) {
  auto subnet = parse_go_prefix(c.subnet);
  if (!subnet) {
    errs.push_back("invalid subnet " + c.subnet + ": invalid CIDR block notation");
    return;
  }
  if (subnet->ipv6) return; // refused earlier as unsupported (dockerd skips them without --ipv6)
  const auto& s = subnet->v4;
  if (s.canonical() != s)
    errs.push_back("invalid subnet " + s.to_string() + ": it should be " +
                   s.canonical().to_string());
  check_ip_range(c.ip_range, s, errs);
  if (auto why = address_problem(c.gateway, s); !why.empty())
    errs.push_back("invalid gateway " + c.gateway + ": " + why);
  for (const auto& [name, address] : c.aux_addresses) {
    if (auto why = address_problem(address, s); !why.empty())
      errs.push_back("invalid auxiliary address " + name + ": " + why);
  }
}

caf::error pool_overlap() {
  return make_error(errc::forbidden,
                    "invalid pool request: Pool overlaps with other one on this address space");
}

std::pair<uint32_t, int> key(const ipv4_cidr& c) {
  return {c.network().value, c.prefix};
}

} // namespace

std::string join_errors(const std::vector<std::string>& errs) {
  if (errs.size() == 1) return runtime::trim_space(errs.front());
  std::string out;
  for (const auto& e : errs) {
    if (!out.empty()) out += "\n";
    std::string indented;
    for (char ch : e)
      indented += ch == '\n' ? std::string("\n\t") : std::string(1, ch);
    out += "* " + indented;
  }
  return out;
}

caf::error validate_ipam_configs(const std::vector<ipam_config_spec>& configs) {
  std::vector<std::string> errs;
  for (const auto& c : configs)
    check_config(c, errs);
  if (errs.empty()) return {};
  return make_error(errc::invalid_argument, "invalid network config:\n" + join_errors(errs));
}

bool is_ipv6_subnet(const std::string& subnet) {
  auto p = parse_go_prefix(subnet);
  return p && p->ipv6;
}

ipam_config to_ipam_config(const ipam_config_spec& spec) {
  ipam_config c;
  c.subnet = ipv4_cidr::parse(spec.subnet).value_or(ipv4_cidr{}).canonical();
  if (!spec.ip_range.empty()) c.ip_range = ipv4_cidr::parse(spec.ip_range);
  if (!spec.gateway.empty()) c.gateway = ipv4_address::parse(spec.gateway);
  for (const auto& [name, address] : spec.aux_addresses) {
    if (auto ip = ipv4_address::parse(address)) c.aux_addresses[name] = *ip;
  }
  return c;
}

address_space::address_space(const std::vector<network_record>& networks) {
  for (const auto& n : networks) {
    bool configured = false;
    for (const auto& spec : n.ipam_configs) {
      auto subnet = ipv4_cidr::parse(spec.subnet);
      if (!subnet) continue; // IPv6 or absent
      configured = true;
      std::optional<ipv4_cidr> range;
      if (auto r = ipv4_cidr::parse(spec.ip_range)) range = r->canonical();
      auto* p = find(subnet->canonical());
      if (p == nullptr) {
        pools_.push_back({subnet->canonical(), {}});
        p = &pools_.back();
      }
      if (range) p->children.insert(key(*range));
    }
    if (configured) continue;
    for (const auto& info : n.ipv4_pools) {
      if (find(info.subnet.canonical()) == nullptr) pools_.push_back({info.subnet.canonical(), {}});
    }
  }
}

address_space::pool* address_space::find(const ipv4_cidr& subnet) {
  for (auto& p : pools_) {
    if (p.subnet == subnet) return &p;
  }
  return nullptr;
}

caf::error address_space::add(const ipv4_cidr& subnet, const std::optional<ipv4_cidr>& ip_range) {
  auto canonical = subnet.canonical();
  if (auto* p = find(canonical)) {
    // The same pool again: refused unless it carves a new ip-range out of it.
    if (!ip_range || p->children.count(key(*ip_range))) return pool_overlap();
    p->children.insert(key(*ip_range));
    return {};
  }
  if (!ip_range) {
    // Only a pool without an ip-range is checked against the others (moby#46756).
    for (const auto& p : pools_) {
      if (p.subnet.overlaps(canonical)) return pool_overlap();
    }
  }
  pools_.push_back({canonical, {}});
  if (ip_range) pools_.back().children.insert(key(*ip_range));
  return {};
}

std::vector<ipv4_cidr> address_space::subnets() const {
  std::vector<ipv4_cidr> out;
  for (const auto& p : pools_)
    out.push_back(p.subnet);
  return out;
}

} // namespace berth::net
