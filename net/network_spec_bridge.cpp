// The bridge driver's network options, read like libnetwork's networkConfiguration.fromLabels.
#include "net/network_spec_bridge.hpp"

#include <algorithm>
#include <functional>

#include "base/error.hpp"
#include "net/ipam_ip_address.hpp"
#include "runtime/go_text.hpp"

namespace berth::net {

namespace {

using runtime::go_quote;

caf::error parse_error(std::string_view key, const std::string& value, const std::string& why) {
  return make_error(errc::invalid_argument,
                    "failed to parse " + std::string(key) + " value: " + value + " (" + why + ")");
}

caf::error read_bool(std::string_view key, const std::string& value, bool& out) {
  auto b = runtime::parse_go_bool(value);
  if (!b)
    return parse_error(key, value,
                       "strconv.ParseBool: parsing " + go_quote(value) + ": invalid syntax");
  out = *b;
  return {};
}

caf::error read_optional_bool(std::string_view key, const std::string& value,
                              std::optional<bool>& out) {
  bool b = false;
  if (auto err = read_bool(key, value, b)) return err;
  out = b;
  return {};
}

/// strconv.Atoi, with its two kinds of failure.
caf::error read_int(std::string_view key, const std::string& value, int64_t& out) {
  if (auto n = runtime::parse_go_int(value)) {
    out = *n;
    return {};
  }
  std::string_view digits = value;
  if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) digits.remove_prefix(1);
  bool well_formed = !digits.empty() && std::all_of(digits.begin(), digits.end(),
                                                    [](char c) { return c >= '0' && c <= '9'; });
  return parse_error(key, value,
                     "strconv.Atoi: parsing " + go_quote(value) +
                         (well_formed ? ": value out of range" : ": invalid syntax"));
}

caf::error read_ip(std::string_view key, const std::string& value,
                   std::optional<std::string>& out) {
  out = canonical_ip(value);
  if (!out) return parse_error(key, value, "nil ip");
  return {};
}

caf::error read_gateway_mode(std::string_view key, const std::string& value, std::string& out) {
  if (value != "nat" && value != "nat-unprotected" && value != "routed" && value != "isolated")
    return parse_error(key, value, "unknown gateway mode " + value);
  out = value;
  return {};
}

std::vector<std::string> split_interfaces(const std::string& value) {
  std::vector<std::string> out;
  for (auto& part : runtime::split(value, ':')) {
    if (!part.empty()) out.push_back(std::move(part));
  }
  return out;
}

using option_reader = std::function<caf::error(const std::string& value, bridge_options& options)>;

const std::map<std::string_view, option_reader>& option_readers() {
  namespace k = bridge_option;
  static const std::map<std::string_view, option_reader> readers{
      {k::name, [](const auto& v, auto& o) { return o.bridge_name = v, caf::error{}; }},
      {k::mtu, [](const auto& v, auto& o) { return read_int(k::mtu, v, o.mtu); }},
      {k::enable_ipv4,
       [](const auto& v, auto& o) { return read_optional_bool(k::enable_ipv4, v, o.enable_ipv4); }},
      {k::enable_ipv6,
       [](const auto& v, auto& o) { return read_optional_bool(k::enable_ipv6, v, o.enable_ipv6); }},
      {k::enable_ip_masquerade,
       [](const auto& v, auto& o) {
         return read_bool(k::enable_ip_masquerade, v, o.enable_ip_masquerade);
       }},
      {k::gateway_mode_ipv4,
       [](const auto& v, auto& o) {
         return read_gateway_mode(k::gateway_mode_ipv4, v, o.gateway_mode_ipv4);
       }},
      {k::gateway_mode_ipv6,
       [](const auto& v, auto& o) {
         return read_gateway_mode(k::gateway_mode_ipv6, v, o.gateway_mode_ipv6);
       }},
      {k::enable_icc,
       [](const auto& v, auto& o) { return read_bool(k::enable_icc, v, o.enable_icc); }},
      {k::trusted_host_interfaces,
       [](const auto& v, auto& o) {
         return o.trusted_host_interfaces = split_interfaces(v), caf::error{};
       }},
      {k::inhibit_ipv4,
       [](const auto& v, auto& o) { return read_bool(k::inhibit_ipv4, v, o.inhibit_ipv4); }},
      {k::default_bridge,
       [](const auto& v, auto& o) { return read_bool(k::default_bridge, v, o.default_bridge); }},
      {k::host_binding_ipv4,
       [](const auto& v, auto& o) { return read_ip(k::host_binding_ipv4, v, o.host_binding_ip); }},
      {k::container_iface_prefix,
       [](const auto& v, auto& o) { return o.container_iface_prefix = v, caf::error{}; }},
      {k::host_ipv4, [](const auto& v, auto& o) { return read_ip(k::host_ipv4, v, o.host_ipv4); }},
      {k::host_ipv6, [](const auto& v, auto& o) { return read_ip(k::host_ipv6, v, o.host_ipv6); }},
  };
  return readers;
}

} // namespace

caf::expected<bridge_options>
parse_bridge_options(const std::map<std::string, std::string>& options) {
  bridge_options out;
  const auto& readers = option_readers();
  for (const auto& [key, value] : options) {
    auto reader = readers.find(key);
    if (reader == readers.end()) continue; // other drivers' or the user's own keys
    if (auto err = reader->second(value, out)) return err;
  }
  return out;
}

std::string bridge_interface_name(const bridge_options& options, const std::string& network_id) {
  if (!options.bridge_name.empty()) return options.bridge_name;
  return "br-" + network_id.substr(0, 12);
}

} // namespace berth::net
