// Decoding the body of POST /networks/create with Go's encoding/json rules.
#include "base/error.hpp"
#include "net/network_spec.hpp"
#include "runtime/json_fields.hpp"

namespace berth::net {

namespace {

using json = nlohmann::json;
using runtime::json_fields;

/// A map field where null/absent (nil) and {} differ.
void read_optional_map(json_fields& f, std::string_view key,
                       std::optional<std::map<std::string, std::string>>& out) {
  if (f.find(key) == nullptr) return;
  std::map<std::string, std::string> m;
  f.read(key, m);
  if (f.ok()) out = std::move(m);
}

ipam_config_spec read_ipam_config(const json& element, json_fields& ipam) {
  ipam_config_spec c;
  if (element.is_null()) return c; // Go leaves a zero IPAMConfig for a null element
  if (!element.is_object()) {
    ipam.fail("Config", element, "network.IPAMConfig");
    return c;
  }
  json_fields f(&element, "IPAMConfig", "IPAM.Config");
  f.read("Subnet", c.subnet);
  f.read("IPRange", c.ip_range);
  f.read("Gateway", c.gateway);
  f.read("AuxiliaryAddresses", c.aux_addresses);
  ipam.absorb(f);
  return c;
}

void read_ipam(json_fields& request, network_create_request& r) {
  const auto* v = request.find("IPAM");
  if (v == nullptr) return;
  if (!v->is_object()) return request.fail("IPAM", *v, "network.IPAM");
  r.has_ipam = true;
  json_fields ipam(v, "IPAM", "IPAM");
  ipam.read("Driver", r.ipam_driver);
  read_optional_map(ipam, "Options", r.ipam_options);
  if (const auto* configs = ipam.find("Config")) {
    if (!configs->is_array()) {
      ipam.fail("Config", *configs, "[]network.IPAMConfig");
    } else {
      for (const auto& element : *configs) {
        r.ipam_configs.push_back(read_ipam_config(element, ipam));
        if (!ipam.ok()) break;
      }
    }
  }
  request.absorb(ipam);
}

void read_config_from(json_fields& request, network_create_request& r) {
  const auto* v = request.find("ConfigFrom");
  if (v == nullptr) return;
  if (!v->is_object()) return request.fail("ConfigFrom", *v, "network.ConfigReference");
  json_fields f(v, "ConfigReference", "ConfigFrom");
  std::string network;
  f.read("Network", network);
  request.absorb(f);
  r.config_from = std::move(network);
}

} // namespace

caf::expected<network_create_request> parse_network_create(const json& body,
                                                           bool api_has_enable_ipv4) {
  if (!body.is_null() && !body.is_object())
    return make_error(errc::invalid_argument, "invalid JSON: json: cannot unmarshal " +
                                                  runtime::go_json_kind(body) +
                                                  " into Go value of type network.CreateRequest");
  network_create_request r;
  json_fields f(&body, "CreateRequest", "");
  f.read("Name", r.name);
  f.read("CheckDuplicate", r.check_duplicate);
  f.read("Driver", r.driver);
  f.read("Scope", r.scope);
  f.read("EnableIPv4", r.enable_ipv4);
  f.read("EnableIPv6", r.enable_ipv6);
  read_ipam(f, r);
  f.read("Internal", r.internal);
  f.read("Attachable", r.attachable);
  f.read("Ingress", r.ingress);
  f.read("ConfigOnly", r.config_only);
  read_config_from(f, r);
  f.read("Options", r.options);
  f.read("Labels", r.labels);
  if (!f.ok()) return f.error();
  if (!api_has_enable_ipv4) r.enable_ipv4.reset();
  return r;
}

} // namespace berth::net
