// dockerd's checks of a container's static addresses on a network (validateEndpointSettings).
#include "base/error.hpp"
#include "net/ipam_ip_address.hpp"
#include "net/network_spec.hpp"
#include "net/network_spec_ipam.hpp"
#include "runtime/go_text.hpp"

namespace berth::net {

namespace {

/// container.NetworkMode.IsUserDefined.
bool is_user_defined(const std::string& mode) {
  return !is_predefined_network_name(mode) && mode.rfind("container:", 0) != 0;
}

/// EndpointIPAMConfig.Validate.
void check_syntax(const std::string& ipv4, const std::string& ipv6,
                  std::vector<std::string>& errs) {
  if (!ipv4.empty()) {
    auto a = ip_address::parse(ipv4);
    if (!a || !a->is_ipv4() || a->is_unspecified()) errs.push_back("invalid IPv4 address: " + ipv4);
  }
  if (!ipv6.empty()) {
    auto a = ip_address::parse(ipv6);
    if (!a || a->is_ipv4() || a->is_unspecified()) errs.push_back("invalid IPv6 address: " + ipv6);
  }
}

/// validateEndpointIPAddress against the network's user-configured subnets of one family.
void check_in_subnets(const std::string& address, const std::vector<ipv4_cidr>& static_subnets,
                      std::vector<std::string>& errs) {
  if (address.empty()) return;
  if (static_subnets.empty()) {
    errs.push_back("user specified IP address is supported only when connecting to networks with "
                   "user configured subnets");
    return;
  }
  auto v4 = ip_address::parse(address);
  for (const auto& s : static_subnets) {
    if (v4 && v4->is_ipv4()) {
      ipv4_address a{(uint32_t{v4->bytes[0]} << 24) | (uint32_t{v4->bytes[1]} << 16) |
                     (uint32_t{v4->bytes[2]} << 8) | v4->bytes[3]};
      if (s.contains(a)) return;
    }
  }
  errs.push_back("no configured subnet or ip-range contain the IP address " + address);
}

} // namespace

caf::error validate_endpoint_addresses(const network_record& network,
                                       const std::string& network_mode,
                                       const std::string& ipv4_address,
                                       const std::string& ipv6_address) {
  std::vector<std::string> errs;
  if (!is_user_defined(network_mode) && (!ipv4_address.empty() || !ipv6_address.empty()))
    errs.push_back("user specified IP address is supported on user defined networks only");
  check_syntax(ipv4_address, ipv6_address, errs);
  std::vector<ipv4_cidr> v4_subnets;
  for (const auto& c : network.ipam_configs) {
    if (auto s = ipv4_cidr::parse(c.subnet)) v4_subnets.push_back(*s);
  }
  check_in_subnets(ipv4_address, v4_subnets, errs);
  check_in_subnets(ipv6_address, {}, errs); // Berth networks have no IPv6 subnets
  if (errs.empty()) return {};
  return make_error(errc::invalid_argument, "invalid endpoint settings:\n" + join_errors(errs));
}

} // namespace berth::net
