// Published ports: from the container's configuration to groups of host bindings, and back
// to Docker's JSON.
#include "net/port_spec.hpp"

#include <algorithm>
#include <optional>

#include "base/error.hpp"
#include "base/text_fields.hpp"
#include "net/ipam_ip_address.hpp"
#include "runtime/go_text.hpp"

namespace berth::net {

namespace {

using json = nlohmann::json;

/// lntypes.ParseProtocol(...).String(): known protocols in lower case, others "0".
std::string protocol_name(const std::string& proto) {
  std::string lower;
  for (char c : proto)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "tcp" || lower == "udp" || lower == "sctp" || lower == "icmp") return lower;
  return "0";
}

/// The protocol numbers libnetwork sorts bindings by (tcp < udp < sctp).
int protocol_number(const std::string& name) {
  if (name == "icmp") return 1;
  if (name == "tcp") return 6;
  if (name == "udp") return 17;
  if (name == "sctp") return 132;
  return 0;
}

/// strconv.ParseUint(text, 10, 16) with Go's error text.
caf::expected<uint16_t> parse_port_number(const std::string& text) {
  if (auto n = parse_u64(text, 16)) return static_cast<uint16_t>(*n);
  bool digits = !text.empty() &&
                std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  return make_error(errc::invalid_argument,
                    "strconv.ParseUint: parsing " + runtime::go_quote(text) +
                        (digits ? ": value out of range" : ": invalid syntax"));
}

caf::expected<port_binding_request> make_request(const transport_port& port,
                                                 const runtime::port_binding& b) {
  auto range = parse_port_range(split_proto_port(b.host_port).second);
  if (!range)
    return make_error(errc::invalid_argument, "error parsing HostPort value (" + b.host_port +
                                                  "): " + error_message(range.error()));
  return port_binding_request{port.proto, port.port, canonical_ip(b.host_ip).value_or(""),
                              range->first, range->second};
}

/// cmpPortBinding: exact host ports first, then container port, protocol, host ports and
/// host address.
bool binding_less(const port_binding_request& a, const port_binding_request& b) {
  auto is_range = [](const port_binding_request& x) {
    return x.host_port == 0 || x.host_port != x.host_port_end;
  };
  if (is_range(a) != is_range(b)) return !is_range(a);
  if (a.container_port != b.container_port) return a.container_port < b.container_port;
  if (a.proto != b.proto) return protocol_number(a.proto) < protocol_number(b.proto);
  if (a.host_port != b.host_port) return a.host_port < b.host_port;
  if (a.host_port_end != b.host_port_end) return a.host_port_end < b.host_port_end;
  auto ia = ip_address::parse(a.host_ip);
  auto ib = ip_address::parse(b.host_ip);
  return ia < ib; // no address sorts first, as Go's zero netip.Addr
}

bool need_same_port(const port_binding_request& a, const port_binding_request& b) {
  return a.container_port == b.container_port && a.proto == b.proto && a.host_port == b.host_port &&
         a.host_port_end == b.host_port_end;
}

/// configurePortBindingIPv4: the IPv4 host address of a request, if it has one.
std::optional<std::string> ipv4_host(const port_binding_request& r, const ip_address& def) {
  if (!r.host_ip.empty()) {
    auto a = ip_address::parse(r.host_ip);
    if (!a || !a->is_ipv4()) return std::nullopt;
    return a->to_string();
  }
  if (!def.is_ipv4()) return std::nullopt;
  return def.to_string();
}

/// configurePortBindingIPv6: the IPv6 host address of a request, when the proxy forwards IPv6.
std::optional<std::string> ipv6_host(const port_binding_request& r, const ip_address& def,
                                     const port_mapping_options& o) {
  if (!o.ipv6_to_ipv4_proxy) return std::nullopt; // the container itself has no IPv6
  if (!r.host_ip.empty()) {
    auto a = ip_address::parse(r.host_ip);
    if (!a || a->is_ipv4()) return std::nullopt;
    return a->to_string();
  }
  if (def == ip_address::ipv4_any()) {
    if (!o.host_ipv6_listenable) return std::nullopt;
    return ip_address::ipv6_any().to_string();
  }
  if (!def.is_ipv4()) return def.to_string();
  return std::nullopt;
}

} // namespace

std::pair<std::string, std::string> split_proto_port(const std::string& raw) {
  auto parts = runtime::split(raw, '/');
  if (raw.empty() || parts[0].empty()) return {"", ""};
  if (parts.size() == 1 || parts[1].empty()) return {"tcp", parts[0]};
  return {parts[1], parts[0]};
}

caf::expected<std::pair<uint16_t, uint16_t>> parse_port_range(const std::string& text) {
  if (text.empty()) return std::pair<uint16_t, uint16_t>{0, 0};
  if (text.find('-') == std::string::npos) {
    auto p = parse_port_number(text);
    if (!p) return p.error();
    return std::pair{*p, *p};
  }
  auto parts = runtime::split(text, '-');
  auto start = parse_port_number(parts[0]);
  if (!start) return start.error();
  auto end = parse_port_number(parts[1]);
  if (!end) return end.error();
  if (*end < *start)
    return make_error(errc::invalid_argument, "invalid range specified for port: " + text);
  return std::pair{*start, *end};
}

caf::expected<port_requests>
port_requests_from_config(const std::set<std::string>& exposed_ports,
                          const std::map<std::string, std::vector<runtime::port_binding>>& bindings,
                          bool publish_all_ports) {
  port_requests out;
  for (const auto& key : exposed_ports) {
    auto [proto, number] = split_proto_port(key);
    transport_port port{protocol_name(proto),
                        static_cast<uint16_t>(parse_u64(number, 16).value_or(0))};
    out.exposed.push_back(port);
    auto it = bindings.find(key);
    bool has_bindings = it != bindings.end() && !it->second.empty();
    if (has_bindings) {
      for (const auto& b : it->second) {
        auto request = make_request(port, b);
        if (!request) return request.error();
        out.published.push_back(std::move(*request));
      }
    } else if (publish_all_ports) {
      out.published.push_back({port.proto, port.port, "", 0, 0});
    }
  }
  return out;
}

std::vector<port_binding_group>
plan_port_bindings(const std::vector<port_binding_request>& published,
                   const port_mapping_options& options) {
  auto sorted = published;
  for (auto& r : sorted) {
    if (r.host_port_end == 0) r.host_port_end = r.host_port;
  }
  std::stable_sort(sorted.begin(), sorted.end(), binding_less);
  auto def = ip_address::parse(options.default_host_ip).value_or(ip_address::ipv4_any());

  std::vector<port_binding_group> groups;
  port_binding_group current;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const auto& r = sorted[i];
    if (auto v4 = ipv4_host(r, def)) current.host_ips.push_back(*v4);
    if (auto v6 = ipv6_host(r, def, options)) current.host_ips.push_back(*v6);
    if (i + 1 < sorted.size() && need_same_port(r, sorted[i + 1])) continue;
    if (!current.host_ips.empty()) {
      current.proto = r.proto;
      current.container_port = r.container_port;
      current.host_port = r.host_port;
      current.host_port_end = r.host_port_end;
      groups.push_back(std::move(current));
    }
    current = {};
  }
  return groups;
}

json network_settings_ports(const std::vector<transport_port>& exposed,
                            const std::vector<published_port>& mappings) {
  auto key = [](const std::string& proto, uint16_t port) {
    return std::to_string(port) + "/" + proto;
  };
  json ports = json::object();
  for (const auto& p : exposed) {
    if (!ports.contains(key(p.proto, p.port))) ports[key(p.proto, p.port)] = nullptr;
  }
  for (const auto& m : mappings) {
    auto& list = ports[key(m.proto, m.container_port)];
    if (list.is_null()) list = json::array();
    list.push_back(
        {{"HostIp", m.host_ip}, {"HostPort", m.host_port > 0 ? std::to_string(m.host_port) : ""}});
  }
  return ports;
}

json container_summary_ports(const json& settings_ports) {
  json out = json::array();
  if (!settings_ports.is_object()) return out;
  for (auto it = settings_ports.begin(); it != settings_ports.end(); ++it) {
    auto [proto, number] = split_proto_port(it.key());
    auto private_port = number.empty() ? std::optional<uint64_t>(0) : parse_u64(number, 16);
    if (!private_port) continue; // "invalid port map"
    const auto& bindings = it.value();
    if (!bindings.is_array() || bindings.empty()) {
      out.push_back({{"PrivatePort", *private_port}, {"Type", proto}});
      continue;
    }
    for (const auto& b : bindings) {
      auto host_port = b.value("HostPort", std::string());
      auto public_port = host_port.empty() ? std::optional<uint64_t>(0) : parse_u64(host_port, 16);
      if (!public_port) continue; // "invalid host port map"
      json entry{{"PrivatePort", *private_port}, {"Type", proto}};
      if (auto ip = b.value("HostIp", std::string()); !ip.empty()) entry["IP"] = ip;
      if (*public_port > 0) entry["PublicPort"] = *public_port;
      out.push_back(std::move(entry));
    }
  }
  return out;
}

} // namespace berth::net
