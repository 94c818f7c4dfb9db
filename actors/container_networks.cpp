// A new container's networks from its create request.
#include "actors/container_networks.hpp"

#include "base/error.hpp"
#include "base/ipv4.hpp"

namespace berth::actors {

namespace {

using json = nlohmann::json;

caf::error invalid(const std::string& message) {
  return make_error(errc::invalid_argument, message);
}

// One EndpointSettings object (Aliases, IPAMConfig.IPv4Address, MacAddress).
caf::expected<container_network> endpoint_settings(const std::string& name, const json& j) {
  container_network n;
  n.name = name;
  if (j.is_null()) return n;
  if (!j.is_object())
    return invalid("invalid JSON: json: cannot unmarshal " + std::string(j.type_name()) +
                   " into Go value of type network.EndpointSettings");
  if (auto a = j.find("Aliases"); a != j.end() && !a->is_null()) {
    if (!a->is_array()) return invalid("invalid JSON: Aliases must be an array of strings");
    for (const auto& alias : *a) {
      if (!alias.is_string()) return invalid("invalid JSON: Aliases must be an array of strings");
      n.aliases.push_back(alias.get<std::string>());
    }
  }
  if (auto ipam = j.find("IPAMConfig"); ipam != j.end() && ipam->is_object()) {
    auto ip = ipam->value("IPv4Address", "");
    if (!ip.empty() && !ipv4_address::parse(ip)) return invalid("invalid IPv4 address: " + ip);
    n.ipv4 = ip;
  }
  n.mac = j.value("MacAddress", "");
  return n;
}

} // namespace

bool is_endpointless_network(const std::string& name) {
  return name == "host" || name == "none";
}

caf::expected<std::vector<container_network>>
networks_for_create(const json& body, const runtime::host_config& host,
                    const runtime::container_config& config) {
  auto mode = host.network_mode.empty() || host.network_mode == "default" ? std::string("bridge")
                                                                          : host.network_mode;
  if (mode.rfind("container:", 0) == 0) return std::vector<container_network>{};
  json endpoints = json::object();
  if (auto nc = body.find("NetworkingConfig"); nc != body.end() && nc->is_object())
    if (auto ec = nc->find("EndpointsConfig"); ec != nc->end() && !ec->is_null()) {
      if (!ec->is_object())
        return invalid("invalid JSON: NetworkingConfig.EndpointsConfig must be an object");
      // The CLI names the default network "default".
      for (const auto& [name, settings] : ec->items())
        endpoints[name == "default" ? std::string("bridge") : name] = settings;
    }
  std::vector<container_network> out;
  auto primary = endpoint_settings(mode, endpoints.value(mode, json()));
  if (!primary) return primary.error();
  if (primary->mac.empty()) primary->mac = config.mac_address;
  out.push_back(std::move(*primary));
  for (const auto& [name, settings] : endpoints.items()) {
    if (name == mode) continue;
    if (is_endpointless_network(mode) || is_endpointless_network(name))
      return invalid("container cannot be connected to multiple networks with one of the "
                     "networks in private (none) mode");
    auto n = endpoint_settings(name, settings);
    if (!n) return n.error();
    out.push_back(std::move(*n));
  }
  for (const auto& n : out)
    if (!n.aliases.empty() && (n.name == "bridge" || is_endpointless_network(n.name)))
      return invalid("network-scoped alias is supported only for containers in user defined "
                     "networks");
  return out;
}

} // namespace berth::actors
