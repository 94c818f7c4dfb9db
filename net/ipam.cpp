// Address management inside one network subnet, after libnetwork's default IPAM driver.
#include "net/ipam.hpp"

#include "base/error.hpp"

namespace berth::net {

namespace {

using json = nlohmann::json;

// libnetwork's well-known IPAM errors (ipamapi/contract.go).
caf::error no_available_ips() {
  return make_error(errc::unavailable, "no available addresses on this pool");
}
caf::error already_allocated() {
  return make_error(errc::forbidden, "Address already in use");
}
caf::error out_of_range() {
  return make_error(errc::invalid_argument, "requested address is out of range");
}

/// The addresses automatic allocation picks from: the ip-range, or the whole subnet.
std::pair<uint64_t, uint64_t> allocation_bounds(const ipam_config& c) {
  const auto& r = c.ip_range && *c.ip_range != c.subnet ? *c.ip_range : c.subnet;
  return {r.network().value, r.broadcast().value};
}

caf::error corrupt(const std::string& what) {
  return make_error(errc::internal, "invalid IPAM state: " + what);
}

std::optional<ipv4_cidr> parse_canonical_cidr(const json& v) {
  if (!v.is_string()) return std::nullopt;
  auto c = ipv4_cidr::parse(v.get<std::string>());
  if (!c || c->canonical() != *c) return std::nullopt;
  return c;
}

std::optional<ipv4_address> parse_address(const json& v) {
  if (!v.is_string()) return std::nullopt;
  return ipv4_address::parse(v.get<std::string>());
}

json config_to_json(const ipam_config& c) {
  json j{{"Subnet", c.subnet.to_string()}};
  if (c.ip_range) j["IPRange"] = c.ip_range->to_string();
  if (c.gateway) j["Gateway"] = c.gateway->to_string();
  json aux = json::object();
  for (const auto& [name, ip] : c.aux_addresses)
    aux[name] = ip.to_string();
  j["AuxiliaryAddresses"] = std::move(aux);
  return j;
}

caf::expected<ipam_config> config_from_json(const json& j) {
  if (!j.is_object()) return corrupt("config is not an object");
  ipam_config c;
  auto subnet = parse_canonical_cidr(j.value("Subnet", json()));
  if (!subnet) return corrupt("bad subnet");
  c.subnet = *subnet;
  if (j.contains("IPRange")) {
    c.ip_range = parse_canonical_cidr(j["IPRange"]);
    if (!c.ip_range || !c.subnet.contains(c.ip_range->network()) ||
        c.ip_range->prefix < c.subnet.prefix)
      return corrupt("bad ip range");
  }
  if (j.contains("Gateway")) {
    c.gateway = parse_address(j["Gateway"]);
    if (!c.gateway) return corrupt("bad gateway");
  }
  const auto& aux = j.value("AuxiliaryAddresses", json::object());
  if (!aux.is_object()) return corrupt("bad auxiliary addresses");
  for (auto it = aux.begin(); it != aux.end(); ++it) {
    auto ip = parse_address(it.value());
    if (!ip) return corrupt("bad auxiliary address " + it.key());
    c.aux_addresses[it.key()] = *ip;
  }
  return c;
}

} // namespace

caf::expected<ipam_pool> ipam_pool::create(const ipam_config& config, bool allocate_gateway) {
  ipam_pool p;
  p.config_ = config;
  p.config_.subnet = config.subnet.canonical();
  const auto& subnet = p.config_.subnet;
  // Network and broadcast addresses, except on point-to-point /31 links (RFC 3021) and /32s.
  if (32 - subnet.prefix > 1) {
    p.taken_.insert(subnet.network().value);
    p.taken_.insert(subnet.broadcast().value);
  }
  if (config.gateway) {
    if (auto err = p.take(*config.gateway))
      return make_error(errc::internal, "failed to allocate gateway (" +
                                            config.gateway->to_string() +
                                            "): " + error_message(err));
    p.gateway_ = config.gateway;
  } else if (allocate_gateway) {
    auto gw = p.take_lowest_free();
    if (!gw)
      return make_error(errc::internal,
                        "failed to allocate gateway (): " + error_message(gw.error()));
    p.gateway_ = *gw;
  }
  for (const auto& [name, ip] : config.aux_addresses) {
    auto pair = name + ":" + ip.to_string();
    if (!subnet.contains(ip))
      return make_error(errc::forbidden,
                        "auxiliary address: (" + pair +
                            ") must belong to the master pool: " + subnet.to_string());
    if (auto err = p.take(ip))
      return make_error(errc::internal, "failed to allocate secondary ip address (" + pair +
                                            "): " + error_message(err));
  }
  return p;
}

bool ipam_pool::reserved_for_network(ipv4_address address) const {
  const auto& s = config_.subnet;
  return 32 - s.prefix > 1 && (address == s.network() || address == s.broadcast());
}

caf::error ipam_pool::take(ipv4_address address) {
  if (!config_.subnet.contains(address)) return out_of_range();
  if (!taken_.insert(address.value).second) return already_allocated();
  return {};
}

caf::expected<ipv4_address> ipam_pool::take_lowest_free() {
  auto [lo, hi] = allocation_bounds(config_);
  uint64_t candidate = lo;
  for (auto it = taken_.lower_bound(static_cast<uint32_t>(lo));
       it != taken_.end() && *it == candidate && candidate <= hi; ++it)
    ++candidate;
  if (candidate > hi) return no_available_ips();
  taken_.insert(static_cast<uint32_t>(candidate));
  return ipv4_address{static_cast<uint32_t>(candidate)};
}

caf::expected<ipv4_address> ipam_pool::allocate() {
  return take_lowest_free();
}

caf::expected<ipv4_address> ipam_pool::allocate(ipv4_address preferred) {
  if (auto err = take(preferred)) return err;
  return preferred;
}

caf::error ipam_pool::release(ipv4_address address) {
  if (!config_.subnet.contains(address)) return out_of_range();
  if (!reserved_for_network(address)) taken_.erase(address.value);
  return {};
}

bool ipam_pool::in_use(ipv4_address address) const {
  return taken_.count(address.value) > 0;
}

std::vector<ipv4_address> ipam_pool::allocated() const {
  std::set<uint32_t> fixed;
  if (gateway_) fixed.insert(gateway_->value);
  for (const auto& [name, ip] : config_.aux_addresses)
    fixed.insert(ip.value);
  std::vector<ipv4_address> out;
  for (auto v : taken_) {
    if (!reserved_for_network({v}) && !fixed.count(v)) out.push_back({v});
  }
  return out;
}

json ipam_pool::to_json() const {
  json allocated_list = json::array();
  for (auto ip : allocated())
    allocated_list.push_back(ip.to_string());
  json j{{"Config", config_to_json(config_)}, {"Allocated", std::move(allocated_list)}};
  if (gateway_) j["Gateway"] = gateway_->to_string();
  return j;
}

caf::expected<ipam_pool> ipam_pool::from_json(const json& j) {
  if (!j.is_object()) return corrupt("not an object");
  auto config = config_from_json(j.value("Config", json()));
  if (!config) return config.error();
  std::optional<ipv4_address> gateway;
  if (j.contains("Gateway")) {
    gateway = parse_address(j["Gateway"]);
    if (!gateway) return corrupt("bad gateway");
  }
  if (config->gateway && gateway != config->gateway) return corrupt("gateway mismatch");
  auto with_gateway = *config;
  with_gateway.gateway = gateway;
  auto pool = create(with_gateway, false);
  if (!pool) return corrupt(error_message(pool.error()));
  pool->config_ = *config;
  const auto& list = j.value("Allocated", json::array());
  if (!list.is_array()) return corrupt("bad allocated list");
  for (const auto& item : list) {
    auto ip = parse_address(item);
    if (!ip || pool->take(*ip)) return corrupt("bad allocated address " + item.dump());
  }
  return pool;
}

caf::expected<ipv4_cidr> allocate_endpoint_address(std::vector<ipam_pool>& pools,
                                                   std::optional<ipv4_address> preferred,
                                                   const std::string& network_name,
                                                   const std::string& network_id) {
  for (auto& pool : pools) {
    if (preferred && !pool.subnet().contains(*preferred)) continue;
    auto ip = preferred ? pool.allocate(*preferred) : pool.allocate();
    if (ip) return ipv4_cidr{*ip, pool.subnet().prefix};
    // Only a full pool lets an automatic request go on to the next one.
    if (preferred || error_kind(ip.error()) != errc::unavailable) return ip.error();
  }
  if (preferred)
    return make_error(errc::invalid_argument,
                      "invalid address " + preferred->to_string() +
                          ": It does not belong to any of this network's subnets");
  return make_error(errc::internal,
                    "no available IPv4 addresses on this network's address pools: " + network_name +
                        " (" + network_id + ")");
}

} // namespace berth::net
