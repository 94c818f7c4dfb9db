// A network's stored form and its Docker API rendering.
#include "net/network_spec_record.hpp"

#include "base/error.hpp"
#include "base/time.hpp"

namespace berth::net {

namespace {

using json = nlohmann::json;

json string_map(const std::map<std::string, std::string>& m) {
  json j = json::object();
  for (const auto& [k, v] : m)
    j[k] = v;
  return j;
}

json config_spec_to_api(const ipam_config_spec& c) {
  // IPAMConfig's fields are all `omitempty`.
  json j = json::object();
  if (!c.subnet.empty()) j["Subnet"] = c.subnet;
  if (!c.ip_range.empty()) j["IPRange"] = c.ip_range;
  if (!c.gateway.empty()) j["Gateway"] = c.gateway;
  if (!c.aux_addresses.empty()) j["AuxiliaryAddresses"] = string_map(c.aux_addresses);
  return j;
}

/// buildIPAMResources: the user's configs with a subnet; otherwise what IPAM allocated.
json ipam_config_to_api(const network_record& r) {
  json configs = json::array();
  for (const auto& c : r.ipam_configs) {
    if (!c.subnet.empty()) configs.push_back(config_spec_to_api(c));
  }
  if (configs.empty()) {
    for (const auto& p : r.ipv4_pools) {
      json j{{"Subnet", p.subnet.to_string()}};
      if (p.gateway) j["Gateway"] = p.gateway->to_string();
      configs.push_back(std::move(j));
    }
  }
  return configs.empty() ? json() : configs; // a nil slice renders as null
}

json endpoint_to_api(const network_endpoint_info& e) {
  return {{"Name", e.name},
          {"EndpointID", e.endpoint_id},
          {"MacAddress", e.mac_address},
          {"IPv4Address", e.ipv4_address},
          {"IPv6Address", e.ipv6_address}};
}

json pool_to_json(const network_pool_info& p) {
  json j{{"Subnet", p.subnet.to_string()}};
  if (p.gateway) j["Gateway"] = p.gateway->to_string();
  return j;
}

json config_spec_to_json(const ipam_config_spec& c) {
  return {{"Subnet", c.subnet},
          {"IPRange", c.ip_range},
          {"Gateway", c.gateway},
          {"AuxiliaryAddresses", string_map(c.aux_addresses)}};
}

caf::error corrupt(const std::string& what) {
  return make_error(errc::internal, "invalid network record: " + what);
}

/// Reads the stored record's fields, throwing nlohmann's exceptions on type mismatches (caught
/// by the caller: a record that does not read back is corrupt).
network_record read_record(const json& j) {
  network_record r;
  r.id = j.at("Id").get<std::string>();
  r.name = j.at("Name").get<std::string>();
  r.driver = j.at("Driver").get<std::string>();
  r.scope = j.at("Scope").get<std::string>();
  r.created = j.at("Created").get<int64_t>();
  r.enable_ipv4 = j.at("EnableIPv4").get<bool>();
  r.enable_ipv6 = j.at("EnableIPv6").get<bool>();
  r.internal = j.at("Internal").get<bool>();
  r.attachable = j.at("Attachable").get<bool>();
  r.ingress = j.at("Ingress").get<bool>();
  r.ipam_driver = j.at("IPAMDriver").get<std::string>();
  if (const auto& o = j.at("IPAMOptions"); !o.is_null())
    r.ipam_options = o.get<std::map<std::string, std::string>>();
  for (const auto& c : j.at("IPAMConfigs")) {
    r.ipam_configs.push_back(
        {c.at("Subnet").get<std::string>(), c.at("IPRange").get<std::string>(),
         c.at("Gateway").get<std::string>(),
         c.at("AuxiliaryAddresses").get<std::map<std::string, std::string>>()});
  }
  for (const auto& p : j.at("IPv4Pools")) {
    auto subnet = ipv4_cidr::parse(p.at("Subnet").get<std::string>());
    if (!subnet) throw std::invalid_argument("bad pool subnet");
    network_pool_info info{*subnet, std::nullopt};
    if (p.contains("Gateway")) {
      info.gateway = ipv4_address::parse(p["Gateway"].get<std::string>());
      if (!info.gateway) throw std::invalid_argument("bad pool gateway");
    }
    r.ipv4_pools.push_back(info);
  }
  r.options = j.at("Options").get<std::map<std::string, std::string>>();
  r.labels = j.at("Labels").get<std::map<std::string, std::string>>();
  r.bridge_name = j.at("BridgeName").get<std::string>();
  return r;
}

} // namespace

json network_record_to_json(const network_record& r) {
  json configs = json::array();
  for (const auto& c : r.ipam_configs)
    configs.push_back(config_spec_to_json(c));
  json pools = json::array();
  for (const auto& p : r.ipv4_pools)
    pools.push_back(pool_to_json(p));
  return {{"Id", r.id},
          {"Name", r.name},
          {"Driver", r.driver},
          {"Scope", r.scope},
          {"Created", r.created},
          {"EnableIPv4", r.enable_ipv4},
          {"EnableIPv6", r.enable_ipv6},
          {"Internal", r.internal},
          {"Attachable", r.attachable},
          {"Ingress", r.ingress},
          {"IPAMDriver", r.ipam_driver},
          {"IPAMOptions", r.ipam_options ? string_map(*r.ipam_options) : json()},
          {"IPAMConfigs", std::move(configs)},
          {"IPv4Pools", std::move(pools)},
          {"Options", string_map(r.options)},
          {"Labels", string_map(r.labels)},
          {"BridgeName", r.bridge_name}};
}

caf::expected<network_record> network_record_from_json(const json& j) {
  try {
    return read_record(j);
  } catch (const std::exception& e) {
    return corrupt(e.what());
  }
}

json network_inspect_json(const network_record& r,
                          const std::vector<network_endpoint_info>& containers) {
  json attached = json::object();
  for (const auto& e : containers)
    attached[e.container_id] = endpoint_to_api(e);
  return {{"Name", r.name},
          {"Id", r.id},
          {"Created", format_rfc3339(r.created)},
          {"Scope", r.scope},
          {"Driver", r.driver},
          {"EnableIPv4", r.enable_ipv4},
          {"EnableIPv6", r.enable_ipv6},
          {"IPAM",
           {{"Driver", r.ipam_driver},
            {"Options", r.ipam_options ? string_map(*r.ipam_options) : json()},
            {"Config", ipam_config_to_api(r)}}},
          {"Internal", r.internal},
          {"Attachable", r.attachable},
          {"Ingress", r.ingress},
          {"ConfigFrom", {{"Network", ""}}},
          {"ConfigOnly", false},
          {"Containers", std::move(attached)},
          {"Options", string_map(r.options)},
          {"Labels", string_map(r.labels)}};
}

bool is_predefined_network_name(const std::string& name) {
  return name == "bridge" || name == "host" || name == "none" || name == "default";
}

} // namespace berth::net
