// Published ports: host ports from one allocator per daemon, DNAT rules in the daemon's nftables
// table, and their stored form (kind "ports", one row per container) for restarts.
#include "actors/blocking_pool.hpp"
#include "actors/bridge_driver.hpp"
#include "actors/directory.hpp"
#include "actors/networks_manager_state.hpp"
#include "actors/state_store_actor.hpp"
#include "base/error.hpp"
#include "base/log.hpp"
#include "net/network_spec_bridge.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"networks"};

std::string ports_json(const networks_state::published& p) {
  auto ports = nlohmann::json::array();
  for (const auto& m : p.ports)
    ports.push_back({{"Proto", m.proto},
                     {"HostIp", m.host_ip},
                     {"HostPort", m.host_port},
                     {"ContainerPort", m.container_port}});
  return nlohmann::json{{"Endpoint", to_json(p.endpoint)}, {"Ports", ports}}.dump();
}

void store_ports(networks_pointer self, std::vector<storage::state_op> ops,
                 std::function<void(caf::error)> then) {
  auto store = directory::lookup<state_store_actor>(self->system(), directory::state);
  if (!store) return then(make_error(errc::unavailable, "the state store is not available"));
  self->request(store, std::chrono::seconds(30), commit_atom_v, std::move(ops))
      .await([then]() { then({}); }, [then](caf::error& err) { then(err); });
}

// The default host address: the network's host_binding_ipv4 option, else the daemon's --ip.
net::port_mapping_options mapping_options(const networks_state& st, const std::string& network) {
  net::port_mapping_options options;
  options.default_host_ip = st.ctx->config.default_bind_ip;
  if (auto i = st.networks.find(network); i != st.networks.end())
    if (auto bridge = net::parse_bridge_options(i->second.record.options);
        bridge && bridge->host_binding_ip)
      options.default_host_ip = *bridge->host_binding_ip;
  return options;
}

// Gives a container's host ports back to the allocator.
void forget_ports(networks_pointer self, const std::string& container) {
  auto i = self->state.ports.find(container);
  if (i == self->state.ports.end()) return;
  net::release_port_bindings(i->second.ports, *self->state.allocator);
  self->state.ports.erase(i);
}

void remove_rules_later(networks_pointer self, const std::string& container) {
  auto pool = blocking_pool_of(self);
  if (!pool) return;
  auto ctx = self->state.ctx;
  run_blocking(
      self, pool,
      [container, ctx]() -> caf::error { return remove_published_ports(container, *ctx); },
      [](caf::error) {});
}

} // namespace

caf::result<std::vector<net::published_port>> publish(networks_pointer self,
                                                      publish_request request) {
  auto& st = self->state;
  if (request.ports.published.empty()) return std::vector<net::published_port>{};
  if (st.ports.count(request.container_id))
    return make_error(errc::conflict,
                      "container " + request.container_id + " has already published its ports");
  auto groups = net::plan_port_bindings(request.ports.published,
                                        mapping_options(st, request.endpoint.network_id));
  auto ports = net::allocate_port_bindings(groups, *st.allocator);
  if (!ports) return ports.error();
  auto pool = blocking_pool_of(self);
  if (!pool) {
    net::release_port_bindings(*ports, *st.allocator);
    return make_error(errc::unavailable, "the blocking pool is not running");
  }
  auto container = request.container_id;
  st.ports[container] = {request.endpoint, *ports};
  auto mappings = port_mappings_of(request.endpoint, *ports);
  auto ctx = st.ctx;
  auto rp = self->make_response_promise<std::vector<net::published_port>>();
  run_blocking(
      self, pool,
      [container, mappings, ctx]() -> caf::error {
        return add_published_ports(container, mappings, *ctx);
      },
      [self, rp, container](caf::error err) mutable {
        if (err) {
          forget_ports(self, container);
          rp.deliver(err);
          return;
        }
        auto& published = self->state.ports.at(container);
        store_ports(self, {storage::state_op::put("ports", container, ports_json(published))},
                    [self, rp, container](caf::error stored) mutable {
                      if (!stored) {
                        rp.deliver(self->state.ports.at(container).ports);
                        return;
                      }
                      forget_ports(self, container);
                      remove_rules_later(self, container);
                      rp.deliver(stored);
                    });
      });
  return rp;
}

caf::result<void> unpublish(networks_pointer self, const std::string& container) {
  auto& st = self->state;
  auto i = st.ports.find(container);
  if (i == st.ports.end()) return caf::unit;
  net::release_port_bindings(i->second.ports, *st.allocator);
  st.ports.erase(i);
  auto pool = blocking_pool_of(self);
  auto rp = self->make_response_promise();
  auto ctx = st.ctx;
  auto forget = [self, rp, container]() mutable {
    store_ports(self, {storage::state_op::erase("ports", container)}, [rp](caf::error err) mutable {
      if (err) lg.error("cannot forget published ports", {{"error", error_message(err)}});
      rp.deliver(caf::unit);
    });
  };
  if (!pool) {
    forget();
    return rp;
  }
  run_blocking(
      self, pool,
      [container, ctx]() -> caf::error { return remove_published_ports(container, *ctx); },
      [forget](caf::error err) mutable {
        if (err) lg.warn("cannot remove published ports", {{"error", error_message(err)}});
        forget();
      });
  return rp;
}

// Used by networks_startup.cpp.
caf::expected<networks_state::published> published_from_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error(errc::internal, "corrupt ports row");
  auto endpoint = endpoint_from_json(j.value("Endpoint", nlohmann::json::object()));
  if (!endpoint) return endpoint.error();
  networks_state::published p;
  p.endpoint = std::move(*endpoint);
  try {
    for (const auto& m : j.at("Ports"))
      p.ports.push_back({m.at("Proto").get<std::string>(), m.at("HostIp").get<std::string>(),
                         m.at("HostPort").get<uint16_t>(), m.at("ContainerPort").get<uint16_t>()});
  } catch (const nlohmann::json::exception& e) {
    return make_error(errc::internal, std::string("corrupt ports row: ") + e.what());
  }
  return p;
}

} // namespace berth::actors
