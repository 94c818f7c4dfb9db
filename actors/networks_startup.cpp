// Networks at daemon start: the stored networks and published ports come back, the packet filter
// is rebuilt from them in one transaction, every network's bridge is made again, and the built-in
// networks (bridge, host, none) are created when missing — the default bridge again when its
// configuration (bip, fixed-cidr, mtu, icc...) changed and no container uses it.
#include "actors/blocking_pool.hpp"
#include "actors/bridge_driver.hpp"
#include "actors/directory.hpp"
#include "actors/networks_manager_state.hpp"
#include "actors/state_store_actor.hpp"
#include "base/error.hpp"
#include "base/log.hpp"
#include "base/random.hpp"
#include "base/time.hpp"
#include "net/ipam_subnets.hpp"
#include "net/network_spec.hpp"
#include "net/routes.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"networks"};

struct stored_networks {
  std::vector<network_state_record> networks;
  std::map<std::string, networks_state::published> ports;
};

// The create request dockerd makes for its default bridge from the daemon's options.
net::network_create_request default_bridge_request(const config::daemon_config& cfg) {
  net::network_create_request r;
  r.name = "bridge";
  r.driver = "bridge";
  r.options = {{"com.docker.network.bridge.default_bridge", "true"},
               {"com.docker.network.bridge.enable_icc", cfg.icc ? "true" : "false"},
               {"com.docker.network.bridge.enable_ip_masquerade", cfg.ip_masq ? "true" : "false"},
               {"com.docker.network.bridge.host_binding_ipv4", cfg.default_bind_ip},
               {"com.docker.network.bridge.name",
                cfg.bridge.empty() ? cfg.network_prefix + "0" : cfg.bridge},
               {"com.docker.network.driver.mtu", std::to_string(cfg.mtu > 0 ? cfg.mtu : 1500)}};
  if (auto bip = ipv4_cidr::parse(cfg.bip)) {
    r.has_ipam = true;
    net::ipam_config_spec spec;
    spec.subnet = bip->canonical().to_string();
    spec.gateway = bip->address.to_string();
    if (auto fixed = ipv4_cidr::parse(cfg.fixed_cidr))
      spec.ip_range = fixed->canonical().to_string();
    r.ipam_configs.push_back(spec);
  }
  return r;
}

// host and none: records only, nothing in the kernel.
network_state_record builtin_record(const std::string& name, const std::string& driver) {
  network_state_record n;
  n.record.id = random_hex(32);
  n.record.name = name;
  n.record.driver = driver;
  n.record.created = unix_nanos_now();
  return n;
}

bool same_default_bridge(const net::network_record& stored, const net::network_record& wanted) {
  return stored.options == wanted.options && stored.ipam_configs == wanted.ipam_configs &&
         stored.bridge_name == wanted.bridge_name;
}

// Adds the built-in networks that are missing (or outdated) to `stored`.
void add_builtins(const daemon_context& ctx, const std::vector<ipv4_cidr>& routes,
                  stored_networks& stored, std::vector<std::string>& fresh,
                  std::vector<std::string>& dropped) {
  auto has = [&](const std::string& name) {
    for (const auto& n : stored.networks)
      if (n.record.name == name) return true;
    return false;
  };
  for (auto [name, driver] : {std::pair{"host", "host"}, std::pair{"none", "null"}})
    if (!has(name)) {
      stored.networks.push_back(builtin_record(name, driver));
      fresh.push_back(stored.networks.back().record.id);
    }
  if (ctx.config.bridge == "none") return; // dockerd's --bridge=none: no default network
  auto pools = net::local_address_pools(ctx.config.default_address_pools);
  if (!pools) {
    lg.error("invalid default-address-pools", {{"error", error_message(pools.error())}});
    return;
  }
  net::network_create_context context;
  context.id = random_hex(32);
  context.created = unix_nanos_now();
  context.address_pools = *pools;
  context.reserved = routes;
  context.allow_predefined_name = true;
  std::optional<size_t> old;
  for (size_t i = 0; i < stored.networks.size(); ++i) {
    if (stored.networks[i].record.name == "bridge")
      old = i;
    else
      context.existing.push_back(stored.networks[i].record);
  }
  auto plan = net::plan_network_create(default_bridge_request(ctx.config), context);
  if (!plan) {
    lg.error("cannot plan the default bridge network", {{"error", error_message(plan.error())}});
    return;
  }
  if (old) {
    auto& current = stored.networks[*old];
    bool keep = same_default_bridge(current.record, plan->record) ||
                (!ctx.config.bip.empty() ? !current.endpoints.empty() : true);
    if (keep) return;
    dropped.push_back(current.record.id);
    stored.networks.erase(stored.networks.begin() + static_cast<std::ptrdiff_t>(*old));
  }
  stored.networks.push_back({plan->record, std::move(plan->pools), {}});
  fresh.push_back(plan->record.id);
}

// Ports published before a restart keep their host ports.
void retake_ports(networks_state& st) {
  for (auto& [container, published] : st.ports)
    for (const auto& p : published.ports)
      if (auto taken = st.allocator->request({p.host_ip}, p.proto, p.host_port, p.host_port);
          !taken)
        lg.warn("a published port could not be taken again",
                {{"container", container}, {"error", error_message(taken.error())}});
}

void finish_start(networks_pointer self, stored_networks stored, std::vector<std::string> fresh) {
  auto remaining = std::make_shared<size_t>(stored.networks.size());
  auto done = [self, remaining]() {
    if (--*remaining > 0) return;
    self->state.ready = true;
    answer_ready_waiters(self);
  };
  if (stored.networks.empty()) {
    ++*remaining;
    return done();
  }
  for (auto& n : stored.networks) {
    auto record = n.record;
    bool is_new = std::find(fresh.begin(), fresh.end(), record.id) != fresh.end();
    auto actor = spawn_network_actor(self->system(), self->state.ctx, std::move(n));
    adopt_network(self, record, actor);
    auto on_error = [record, done](caf::error& err) {
      lg.error("cannot set up a network",
               {{"network", record.name}, {"error", error_message(err)}});
      done();
    };
    if (is_new)
      self->request(actor, std::chrono::seconds(60), create_atom_v).then(done, on_error);
    else
      self->request(actor, std::chrono::seconds(60), restore_atom_v).then(done, on_error);
  }
}

void rebuild_then_finish(networks_pointer self, stored_networks stored,
                         std::vector<std::string> fresh, std::vector<std::string> dropped) {
  auto pool = blocking_pool_of(self);
  std::vector<net::network_rules> rules;
  for (const auto& n : stored.networks)
    if (n.record.driver == "bridge" && !n.pools.empty())
      rules.push_back(rules_of(n.record, n.pools));
  std::vector<net::owned_port_mappings> ports;
  for (const auto& [container, p] : self->state.ports)
    ports.push_back({container, port_mappings_of(p.endpoint, p.ports)});
  auto ctx = self->state.ctx;
  run_blocking(
      self, pool,
      [rules, ports, ctx]() -> caf::error { return rebuild_packet_filter(rules, ports, *ctx); },
      [self, stored = std::move(stored), fresh, dropped](caf::error err) mutable {
        if (err) lg.error("cannot rebuild the packet filter", {{"error", error_message(err)}});
        auto store = directory::lookup<state_store_actor>(self->system(), directory::state);
        std::vector<storage::state_op> ops;
        for (const auto& id : dropped)
          ops.push_back(storage::state_op::erase("network", id));
        if (store && !ops.empty()) self->send(store, commit_atom_v, std::move(ops));
        finish_start(self, std::move(stored), std::move(fresh));
      });
}

stored_networks parse_rows(const std::vector<storage::state_record>& networks,
                           const std::vector<storage::state_record>& ports) {
  stored_networks out;
  for (const auto& row : networks) {
    auto n = network_from_state_json(row.body);
    if (!n) {
      lg.error("skipping a corrupt network record",
               {{"id", row.id}, {"error", error_message(n.error())}});
      continue;
    }
    out.networks.push_back(std::move(*n));
  }
  for (const auto& row : ports) {
    auto p = published_from_json(row.body);
    if (!p) {
      lg.error("skipping corrupt published ports", {{"id", row.id}});
      continue;
    }
    out.ports[row.id] = std::move(*p);
  }
  return out;
}

} // namespace

void answer_ready_waiters(networks_pointer self) {
  if (!self->state.ready) return;
  for (auto& rp : self->state.ready_waiters)
    rp.deliver(caf::unit);
  self->state.ready_waiters.clear();
}

void start_networks(networks_pointer self) {
  self->state.allocator = std::make_unique<net::port_allocator>(net::read_ip_local_port_range());
  auto store = directory::lookup<state_store_actor>(self->system(), directory::state);
  auto pool = blocking_pool_of(self);
  if (!store || !pool) {
    lg.error("the networks cannot start without the state store and the blocking pool");
    self->state.ready = true;
    return;
  }
  self->request(store, std::chrono::seconds(60), load_atom_v, std::string("network"))
      .await([self, store, pool](std::vector<storage::state_record>& networks) {
        self->request(store, std::chrono::seconds(60), load_atom_v, std::string("ports"))
            .await([self, pool, networks](std::vector<storage::state_record>& ports) {
              auto stored = parse_rows(networks, ports);
              self->state.ports = std::move(stored.ports);
              retake_ports(self->state);
              run_blocking(
                  self, pool, []() { return net::ipv4_routes(); },
                  [self, stored = std::move(stored)](
                      caf::expected<std::vector<ipv4_cidr>> routes) mutable {
                    std::vector<std::string> fresh;
                    std::vector<std::string> dropped;
                    add_builtins(*self->state.ctx, routes ? *routes : std::vector<ipv4_cidr>{},
                                 stored, fresh, dropped);
                    rebuild_then_finish(self, std::move(stored), std::move(fresh),
                                        std::move(dropped));
                  });
            });
      });
}

} // namespace berth::actors
