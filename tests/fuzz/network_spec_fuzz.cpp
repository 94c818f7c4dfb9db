// Fuzzes net/network_spec and net/port_spec with untrusted JSON: a POST /networks/create body
// (decoded, checked and planned against a fixed set of networks) and, from the same document,
// a container's ExposedPorts/PortBindings/PublishAllPorts (requests, grouping, allocation).
#include <cstddef>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "net/network_spec.hpp"
#include "net/port_spec.hpp"
#include "net/port_spec_allocator.hpp"

namespace {

using json = nlohmann::json;
using namespace berth;
using namespace berth::net;

network_create_context make_context() {
  network_create_context ctx;
  ctx.id = std::string(64, 'a');
  network_record bridge;
  bridge.id = std::string(64, 'b');
  bridge.name = "bridge";
  bridge.bridge_name = "docker0";
  bridge.ipv4_pools = {{*ipv4_cidr::parse("172.17.0.0/16"), ipv4_address::parse("172.17.0.1")}};
  ctx.existing = {bridge};
  ctx.reserved = {*ipv4_cidr::parse("192.168.0.0/20")};
  return ctx;
}

void fuzz_ports(const json& doc) {
  std::set<std::string> exposed;
  std::map<std::string, std::vector<runtime::port_binding>> bindings;
  if (const auto it = doc.find("ExposedPorts"); it != doc.end() && it->is_object()) {
    for (const auto& [key, value] : it->items())
      exposed.insert(key);
  }
  if (const auto it = doc.find("PortBindings"); it != doc.end() && it->is_object()) {
    for (const auto& [key, list] : it->items()) {
      if (!list.is_array()) continue;
      for (const auto& b : list) {
        if (!b.is_object()) continue;
        auto ip = b.value("HostIp", json("")), port = b.value("HostPort", json(""));
        if (ip.is_string() && port.is_string())
          bindings[key].push_back({ip.get<std::string>(), port.get<std::string>()});
      }
    }
  }
  auto requests = port_requests_from_config(
      exposed, bindings, doc.value("PublishAllPorts", json(false)) == json(true));
  if (!requests) return;
  port_mapping_options options;
  options.ipv6_to_ipv4_proxy = true;
  options.host_ipv6_listenable = true;
  port_allocator allocator({40000, 40100});
  auto made = allocate_port_bindings(plan_port_bindings(requests->published, options), allocator);
  if (made) (void)network_settings_ports(requests->exposed, *made);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto doc = json::parse(data, data + size, nullptr, false);
  if (doc.is_discarded()) return 0;
  static const auto ctx = make_context();
  if (auto request = parse_network_create(doc)) {
    if (auto plan = plan_network_create(*request, ctx)) {
      (void)network_inspect_json(plan->record, {});
      (void)network_record_from_json(network_record_to_json(plan->record));
      for (auto& pool : plan->pools) {
        (void)pool.allocate();
        (void)ipam_pool::from_json(pool.to_json());
      }
    }
  }
  if (doc.is_object()) fuzz_ports(doc);
  return 0;
}
