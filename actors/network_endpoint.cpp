// The stored form of an endpoint.
#include "actors/network_endpoint.hpp"

#include "base/error.hpp"

namespace berth::actors {

nlohmann::json to_json(const endpoint_info& e) {
  nlohmann::json j{{"NetworkID", e.network_id},
                   {"NetworkName", e.network_name},
                   {"EndpointID", e.endpoint_id},
                   {"HostIfname", e.host_ifname},
                   {"Ifname", e.ifname},
                   {"Bridge", e.bridge},
                   {"MacAddress", e.mac},
                   {"Address", e.address.to_string()},
                   {"EmbeddedDNS", e.embedded_dns},
                   {"Aliases", e.aliases},
                   {"DNSNames", e.dns_names},
                   {"ContainerName", e.container_name}};
  if (e.gateway) j["Gateway"] = e.gateway->to_string();
  return j;
}

caf::expected<endpoint_info> endpoint_from_json(const nlohmann::json& j) {
  try {
    endpoint_info e;
    e.network_id = j.at("NetworkID").get<std::string>();
    e.network_name = j.at("NetworkName").get<std::string>();
    e.endpoint_id = j.at("EndpointID").get<std::string>();
    e.host_ifname = j.at("HostIfname").get<std::string>();
    e.ifname = j.at("Ifname").get<std::string>();
    e.bridge = j.at("Bridge").get<std::string>();
    e.mac = j.at("MacAddress").get<std::string>();
    auto address = ipv4_cidr::parse(j.at("Address").get<std::string>());
    if (!address) return make_error(errc::internal, "corrupt endpoint address");
    e.address = *address;
    if (j.contains("Gateway")) e.gateway = ipv4_address::parse(j["Gateway"].get<std::string>());
    e.embedded_dns = j.at("EmbeddedDNS").get<bool>();
    e.aliases = j.at("Aliases").get<std::vector<std::string>>();
    e.dns_names = j.at("DNSNames").get<std::vector<std::string>>();
    e.container_name = j.value("ContainerName", "");
    return e;
  } catch (const nlohmann::json::exception& ex) {
    return make_error(errc::internal, std::string("corrupt endpoint record: ") + ex.what());
  }
}

} // namespace berth::actors
