// Network creation in dockerd's order: daemon checks, libnetwork's, then the bridge driver's.
#include "net/network_spec.hpp"

#include "base/error.hpp"
#include "net/network_spec_ipam.hpp"
#include "runtime/go_text.hpp"

namespace berth::net {

namespace {

caf::error forbidden(std::string message) {
  return make_error(errc::forbidden, std::move(message));
}
caf::error invalid(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}
caf::error unsupported(std::string message) {
  return make_error(errc::not_implemented, std::move(message));
}

/// The request's options with the daemon's `default-network-opts` for the driver underneath.
std::map<std::string, std::string> merged_options(const network_create_request& r,
                                                  const std::string& driver,
                                                  const network_create_context& ctx) {
  auto options = r.options;
  if (auto d = ctx.default_network_opts.find(driver);
      !r.config_from && d != ctx.default_network_opts.end()) {
    for (const auto& [k, v] : d->second)
      options.emplace(k, v);
  }
  return options;
}

/// EnableIPv4/EnableIPv6: the request's field wins (and drops the option), else the option.
caf::expected<bool> enable_flag(const std::optional<bool>& field, std::string_view option,
                                bool fallback, std::map<std::string, std::string>& options) {
  auto key = std::string(option);
  if (field) {
    options.erase(key);
    return *field;
  }
  auto it = options.find(key);
  if (it == options.end()) return fallback;
  auto b = runtime::parse_go_bool(it->second);
  if (!b) return invalid("driver-opt " + runtime::go_quote(key) + " is not a valid bool");
  return *b;
}

/// Daemon-side checks before libnetwork sees the network (daemon.createNetwork).
caf::error check_driver_name(const std::string& driver) {
  if (driver == "overlay")
    return forbidden("This node is not a swarm manager. Use \"docker swarm init\" or \"docker "
                     "swarm join\" to connect this node to swarm and try again.");
  return {};
}

/// libnetwork's driver lookup: built-in drivers Berth lacks are refused, others are plugins.
caf::error resolve_driver(const std::string& driver) {
  if (driver == "bridge" || driver == "host" || driver == "null") return {};
  if (driver == "macvlan" || driver == "ipvlan")
    return unsupported("network driver " + runtime::go_quote(driver) +
                       " is not supported by Berth");
  return make_error(errc::not_found, "plugin " + runtime::go_quote(driver) + " not found");
}

caf::error check_name(const network_create_request& r, const network_create_context& ctx) {
  if (runtime::trim_space(r.name).empty()) return invalid("invalid name: name is empty");
  for (const auto& n : ctx.existing) {
    if (n.name == r.name)
      return make_error(errc::conflict, "network with name " + r.name + " already exists");
  }
  return {};
}

caf::error check_bridge_options(const bridge_options& b, bool internal) {
  if ((b.gateway_mode_ipv4 == "isolated" || b.gateway_mode_ipv6 == "isolated") && !internal)
    return make_error(errc::internal,
                      "gateway mode 'isolated' can only be used for an internal network");
  if (!b.gateway_mode_ipv4.empty() && b.gateway_mode_ipv4 != "nat")
    return unsupported("gateway mode " + runtime::go_quote(b.gateway_mode_ipv4) +
                       " is not supported by Berth");
  return {};
}

/// libnetwork's ipamAllocateVersion for IPv4 with the default IPAM driver.
caf::error allocate_pools(const network_create_request& r, const network_create_context& ctx,
                          bool allocate_gateway, network_plan& plan) {
  address_space space(ctx.existing);
  auto specs = r.ipam_configs;
  if (specs.empty()) specs.emplace_back(); // one pool from the predefined ones
  for (const auto& spec : specs) {
    ipam_config config;
    if (spec.subnet.empty()) {
      auto taken = space.subnets();
      taken.insert(taken.end(), ctx.reserved.begin(), ctx.reserved.end());
      auto subnet = pick_subnet(ctx.address_pools, taken);
      if (!subnet) return subnet.error();
      config.subnet = *subnet;
      if (auto err = space.add(*subnet, std::nullopt)) return err;
    } else {
      config = to_ipam_config(spec);
      if (auto err = space.add(config.subnet, config.ip_range)) return err;
    }
    auto pool = ipam_pool::create(config, allocate_gateway);
    if (!pool) return pool.error();
    plan.record.ipv4_pools.push_back({pool->subnet(), pool->gateway()});
    plan.pools.push_back(std::move(*pool));
  }
  return {};
}

/// The bridge driver's CreateNetwork checks.
caf::error check_bridge_network(const network_plan& plan, const network_create_context& ctx) {
  if (!plan.record.enable_ipv4) return invalid("IPv4 or IPv6 must be enabled");
  if (plan.record.ipam_driver == "null") return invalid("ipv4 pool is empty");
  if (plan.pools.size() > 1) return forbidden("bridge driver doesn't support multiple subnets");
  if (plan.bridge.mtu < 0) return invalid("invalid MTU number: " + std::to_string(plan.bridge.mtu));
  return find_bridge_conflict(plan.record, ctx.existing);
}

/// Everything libnetwork and the bridge driver check once the daemon's checks passed.
caf::error plan_bridge(const network_create_request& r, const network_create_context& ctx,
                       network_plan& plan) {
  auto bridge = parse_bridge_options(plan.record.options);
  if (!bridge) return bridge.error();
  if (auto err = check_bridge_options(*bridge, r.internal)) return err;
  plan.bridge = *bridge;
  auto& ipam_driver = plan.record.ipam_driver;
  if (ipam_driver != "default" && ipam_driver != "null")
    return make_error(errc::not_found, "plugin " + runtime::go_quote(ipam_driver) + " not found");
  if (plan.record.enable_ipv4 && ipam_driver == "null") {
    for (const auto& c : r.ipam_configs) {
      if (!c.subnet.empty())
        return invalid("null ipam driver does not handle specific address pool requests");
    }
  } else if (plan.record.enable_ipv4) {
    // An internal network without a gateway address on the bridge needs no gateway at all.
    bool allocate_gateway = !(bridge->inhibit_ipv4 && r.internal);
    if (auto err = allocate_pools(r, ctx, allocate_gateway, plan)) return err;
  }
  plan.record.bridge_name = bridge_interface_name(*bridge, plan.record.id);
  return check_bridge_network(plan, ctx);
}

network_record base_record(const network_create_request& r, const network_create_context& ctx,
                           std::string driver, std::map<std::string, std::string> options) {
  network_record rec;
  rec.id = ctx.id;
  rec.name = r.name;
  rec.driver = std::move(driver);
  rec.scope = r.scope.empty() ? "local" : r.scope;
  rec.created = ctx.created;
  rec.internal = r.internal;
  rec.attachable = r.attachable;
  rec.ingress = r.ingress;
  rec.ipam_driver = r.ipam_driver.empty() ? "default" : r.ipam_driver;
  rec.ipam_options = r.ipam_options;
  rec.ipam_configs = r.ipam_configs;
  rec.options = std::move(options);
  rec.labels = r.labels;
  return rec;
}

bool has_ipv6_config(const network_create_request& r) {
  for (const auto& c : r.ipam_configs) {
    if (is_ipv6_subnet(c.subnet)) return true;
  }
  return false;
}

} // namespace

caf::expected<network_plan> plan_network_create(const network_create_request& r,
                                                const network_create_context& ctx) {
  if (!ctx.allow_predefined_name && is_predefined_network_name(r.name))
    return forbidden("operation is not permitted on predefined " + r.name + " network ");
  auto driver = r.driver.empty() ? std::string("bridge") : r.driver;
  if (auto err = check_driver_name(driver)) return err;
  auto options = merged_options(r, driver, ctx);
  auto enable_ipv4 = enable_flag(r.enable_ipv4, bridge_option::enable_ipv4, true, options);
  if (!enable_ipv4) return enable_ipv4.error();
  auto enable_ipv6 = enable_flag(r.enable_ipv6, bridge_option::enable_ipv6, false, options);
  if (!enable_ipv6) return enable_ipv6.error();
  if (*enable_ipv6 || has_ipv6_config(r))
    return unsupported("IPv6 networks are not supported by Berth");
  if (auto err = validate_ipam_configs(r.ipam_configs)) return err;
  if (auto err = check_name(r, ctx)) return err;
  if (r.config_only) return unsupported("config-only networks are not supported by Berth");
  if (r.config_from) return unsupported("networks with --config-from are not supported by Berth");
  if (auto err = resolve_driver(driver)) return err;
  if (r.ingress) return forbidden("Ingress network can only be global scope network");
  if (r.scope == "swarm")
    return forbidden("cannot create a swarm scoped network when swarm is not active");
  if (driver == "host" || driver == "null")
    return forbidden("only one instance of " + runtime::go_quote(driver) + " network is allowed");

  network_plan plan;
  plan.record = base_record(r, ctx, driver, std::move(options));
  plan.record.enable_ipv4 = *enable_ipv4;
  if (auto err = plan_bridge(r, ctx, plan)) return err;
  return plan;
}

caf::error find_overlap(const ipv4_cidr& subnet, const std::optional<ipv4_cidr>& ip_range,
                        const std::vector<network_record>& existing) {
  address_space space(existing);
  return space.add(subnet, ip_range);
}

caf::error find_bridge_conflict(const network_record& candidate,
                                const std::vector<network_record>& existing) {
  for (const auto& other : existing) {
    if (other.driver != "bridge" || other.id == candidate.id) continue;
    std::string why;
    if (other.bridge_name == candidate.bridge_name) {
      why = "networks have same bridge name";
    } else {
      for (const auto& a : other.ipv4_pools) {
        for (const auto& b : candidate.ipv4_pools) {
          if (a.subnet.overlaps(b.subnet)) why = "networks have overlapping IPv4";
        }
      }
    }
    if (!why.empty())
      return forbidden("cannot create network " + candidate.id + " (" + candidate.bridge_name +
                       "): conflicts with network " + other.id + " (" + other.bridge_name +
                       "): " + why);
  }
  return {};
}

} // namespace berth::net
