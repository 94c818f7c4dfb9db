// NetworkSettings in Docker's shapes.
#include "api/docker_json/network_settings_json.hpp"

namespace berth::api {

namespace {

using json = nlohmann::json;

json endpoint_settings(const actors::container_network& n) {
  json out{{"IPAMConfig", n.ipv4.empty() ? json(nullptr) : json{{"IPv4Address", n.ipv4}}},
           {"Links", nullptr},
           {"Aliases", n.aliases.empty() ? json(nullptr) : json(n.aliases)},
           {"MacAddress", ""},
           {"DriverOpts", nullptr},
           {"GwPriority", 0},
           {"NetworkID", ""},
           {"EndpointID", ""},
           {"Gateway", ""},
           {"IPAddress", ""},
           {"IPPrefixLen", 0},
           {"IPv6Gateway", ""},
           {"GlobalIPv6Address", ""},
           {"GlobalIPv6PrefixLen", 0},
           {"DNSNames", nullptr}};
  if (!n.endpoint) return out;
  const auto& e = *n.endpoint;
  out["MacAddress"] = e.mac;
  out["NetworkID"] = e.network_id;
  out["EndpointID"] = e.endpoint_id;
  out["Gateway"] = e.gateway ? e.gateway->to_string() : "";
  out["IPAddress"] = e.address.address.to_string();
  out["IPPrefixLen"] = e.address.prefix;
  if (e.embedded_dns) out["DNSNames"] = e.dns_names;
  return out;
}

} // namespace

json networks_json(const std::vector<actors::container_network>& networks) {
  auto out = json::object();
  for (const auto& n : networks)
    out[n.name] = endpoint_settings(n);
  return out;
}

json ports_json(const std::set<std::string>& exposed, const std::vector<net::published_port>& ports,
                bool running) {
  if (!running) return json::object();
  auto requests = net::port_requests_from_config(exposed, {}, false);
  return net::network_settings_ports(
      requests ? requests->exposed : std::vector<net::transport_port>{}, ports);
}

json network_settings_json(const actors::container_record& rec, const std::string& sandbox_key) {
  bool running = rec.running();
  json out{{"Bridge", ""},
           {"SandboxID", running ? rec.id : ""},
           {"SandboxKey", running ? sandbox_key : ""},
           {"Ports", ports_json(rec.config.exposed_ports, rec.ports, running)},
           {"HairpinMode", false},
           {"LinkLocalIPv6Address", ""},
           {"LinkLocalIPv6PrefixLen", 0},
           {"SecondaryIPAddresses", nullptr},
           {"SecondaryIPv6Addresses", nullptr},
           {"EndpointID", ""},
           {"Gateway", ""},
           {"GlobalIPv6Address", ""},
           {"GlobalIPv6PrefixLen", 0},
           {"IPAddress", ""},
           {"IPPrefixLen", 0},
           {"IPv6Gateway", ""},
           {"MacAddress", ""},
           {"Networks", networks_json(rec.networks)}};
  // The deprecated top-level fields describe the default bridge network only, as on dockerd.
  for (const auto& n : rec.networks)
    if (n.name == "bridge" && n.endpoint) {
      out["EndpointID"] = n.endpoint->endpoint_id;
      out["Gateway"] = n.endpoint->gateway ? n.endpoint->gateway->to_string() : "";
      out["IPAddress"] = n.endpoint->address.address.to_string();
      out["IPPrefixLen"] = n.endpoint->address.prefix;
      out["MacAddress"] = n.endpoint->mac;
    }
  return out;
}

} // namespace berth::api
