// A network actor: one network's addresses, endpoints, kernel state and DNS names.
#include "actors/network_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/blocking_pool.hpp"
#include "actors/bridge_driver.hpp"
#include "actors/directory.hpp"
#include "actors/events_actor.hpp"
#include "actors/instrumented.hpp"
#include "actors/state_store_actor.hpp"
#include "base/error.hpp"
#include "base/log.hpp"
#include "base/random.hpp"
#include "metrics/daemon_probes.hpp"
#include "net/dns_table.hpp"
#include "net/mac_address.hpp"
#include "net/network_spec.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"networks"};

struct network_actor_state {
  std::shared_ptr<const daemon_context> ctx;
  network_state_record net;
  static inline const char* name = "network";
};

using network_pointer = network_actor::stateful_pointer<network_actor_state>;

// Stored before any reply, so a crash never forgets an address it handed out.
void persist(network_pointer self, std::function<void(caf::error)> then) {
  auto store = directory::lookup<state_store_actor>(self->system(), directory::state);
  if (!store) return then(make_error(errc::unavailable, "the state store is not available"));
  std::vector<storage::state_op> ops{
      storage::state_op::put("network", self->state.net.record.id, to_state_json(self->state.net))};
  self->request(store, std::chrono::seconds(30), commit_atom_v, std::move(ops))
      .await([then]() { then({}); }, [then](caf::error& err) { then(err); });
}

void publish_event(network_pointer self, const std::string& action,
                   const std::string& container = {}) {
  auto events = directory::lookup<events_actor>(self->system(), directory::events);
  if (!events) return;
  event ev;
  ev.type = "network";
  ev.action = action;
  ev.actor_id = self->state.net.record.id;
  ev.attributes = self->state.net.record.labels;
  ev.attributes["name"] = self->state.net.record.name;
  ev.attributes["type"] = self->state.net.record.driver;
  if (!container.empty()) ev.attributes["container"] = container;
  self->send(events, caf::publish_atom_v, std::move(ev));
}

bool has_embedded_dns(const net::network_record& r) {
  return r.driver == "bridge" && r.name != "bridge";
}

// The embedded DNS servers read the table: names of every endpoint on this network.
void publish_names(network_pointer self) {
  const auto& n = self->state.net;
  if (!self->state.ctx->dns || !has_embedded_dns(n.record)) return;
  net::dns_network_records records;
  records.network_name = n.record.name;
  for (const auto& [id, e] : n.endpoints) {
    for (const auto& name : e.dns_names)
      records.names[name].push_back(e.address.address);
    records.reverse[e.address.address] = e.container_name;
  }
  self->state.ctx->dns->set_entries(n.record.id, std::move(records));
}

caf::expected<endpoint_info> plan_endpoint(network_pointer self, const endpoint_request& req) {
  auto& n = self->state.net;
  if (n.record.driver != "bridge")
    return make_error(errc::forbidden, "container cannot be disconnected from host network or "
                                       "connected to host network");
  if (n.endpoints.count(req.container_id))
    return make_error(errc::forbidden, "endpoint with name " + req.container_name +
                                           " already exists in network " + n.record.name);
  auto mode_name = n.record.name == "bridge" ? std::string("bridge") : req.network;
  if (auto err = net::validate_endpoint_addresses(n.record, mode_name, req.ipv4, "")) return err;
  std::optional<ipv4_address> preferred;
  if (!req.ipv4.empty()) preferred = ipv4_address::parse(req.ipv4);
  auto address = net::allocate_endpoint_address(n.pools, preferred, n.record.name, n.record.id);
  if (!address) return address.error();
  endpoint_info e;
  e.network_id = n.record.id;
  e.network_name = n.record.name;
  e.endpoint_id = random_hex(32);
  e.host_ifname = self->state.ctx->config.network_prefix + "v" + e.endpoint_id.substr(0, 8);
  e.ifname = req.ifname;
  e.bridge = n.record.bridge_name;
  e.mac = req.mac.empty() ? net::mac_for(address->address) : req.mac;
  e.address = *address;
  // An internal network leads nowhere: no default route through it (as dockerd).
  if (!n.record.internal)
    for (const auto& pool : n.pools)
      if (pool.subnet().contains(address->address)) e.gateway = pool.gateway();
  e.embedded_dns = has_embedded_dns(n.record);
  e.aliases = req.aliases;
  e.container_name = req.container_name;
  e.dns_names.push_back(req.container_name);
  for (const auto& a : req.aliases)
    e.dns_names.push_back(a);
  e.dns_names.push_back(req.container_id.substr(0, 12));
  return e;
}

void release_address(network_pointer self, const endpoint_info& e) {
  for (auto& pool : self->state.net.pools)
    if (pool.subnet().contains(e.address.address)) (void)pool.release(e.address.address);
}

caf::result<endpoint_info> join(network_pointer self, const endpoint_request& req) {
  auto planned = plan_endpoint(self, req);
  if (!planned) return planned.error();
  auto e = std::move(*planned);
  auto pool = blocking_pool_of(self);
  if (!pool) {
    release_address(self, e);
    return make_error(errc::unavailable, "the blocking pool is not running");
  }
  // Reserved now so that concurrent joins never get the same address.
  self->state.net.endpoints[req.container_id] = e;
  auto rp = self->make_response_promise<endpoint_info>();
  auto mtu = network_mtu(self->state.net.record, *self->state.ctx);
  run_blocking(
      self, pool,
      [e, netns = req.netns_path, mtu, route = req.default_route]() -> caf::error {
        if (netns.empty()) return {};
        return attach_endpoint(e, netns, mtu, route);
      },
      [self, rp, e, container = req.container_id](caf::error err) mutable {
        auto fail = [self, container, e](caf::error why) {
          self->state.net.endpoints.erase(container);
          release_address(self, e);
          return why;
        };
        if (err) {
          rp.deliver(fail(std::move(err)));
          return;
        }
        persist(self, [self, rp, e, container, fail](caf::error stored) mutable {
          if (stored) {
            if (auto workers = blocking_pool_of(self))
              run_blocking(
                  self, workers, [e]() -> caf::error { return detach_endpoint(e); },
                  [](caf::error) {});
            {
              rp.deliver(fail(std::move(stored)));
              return;
            }
          }
          publish_names(self);
          publish_event(self, "connect", container);
          rp.deliver(e);
        });
      });
  return rp;
}

caf::result<void> leave(network_pointer self, const std::string& container, bool delete_link) {
  auto& n = self->state.net;
  auto i = n.endpoints.find(container);
  if (i == n.endpoints.end()) return caf::unit;
  auto e = i->second;
  n.endpoints.erase(i);
  release_address(self, e);
  auto rp = self->make_response_promise();
  auto finish = [self, rp, container](caf::error) mutable {
    persist(self, [self, rp, container](caf::error err) mutable {
      if (err)
        lg.error("cannot persist a network after a disconnect",
                 {{"network", self->state.net.record.id}, {"error", error_message(err)}});
      publish_names(self);
      publish_event(self, "disconnect", container);
      rp.deliver(caf::unit);
    });
  };
  auto pool = blocking_pool_of(self);
  if (!pool || !delete_link) {
    finish({});
    return rp;
  }
  run_blocking(
      self, pool, [e]() -> caf::error { return detach_endpoint(e); },
      [finish](caf::error err) mutable {
        if (err) lg.warn("cannot remove an endpoint", {{"error", error_message(err)}});
        finish({});
      });
  return rp;
}

// The kernel side after persisting (create) or as found (restore).
void set_up(network_pointer self, caf::response_promise rp) {
  auto pool = blocking_pool_of(self);
  if (!pool) return rp.deliver(make_error(errc::unavailable, "the blocking pool is not running"));
  auto record = self->state.net.record;
  auto pools = self->state.net.pools;
  auto ctx = self->state.ctx;
  run_blocking(
      self, pool,
      [record, pools, ctx]() -> caf::error { return set_up_network(record, pools, *ctx); },
      [self, rp](caf::error err) mutable {
        if (err) return rp.deliver(std::move(err));
        publish_names(self);
        rp.deliver(caf::unit);
      });
}

caf::result<void> remove(network_pointer self) {
  auto& n = self->state.net;
  if (!n.endpoints.empty())
    return make_error(errc::forbidden, "error while removing network: network " + n.record.name +
                                           " id " + n.record.id + " has active endpoints");
  auto pool = blocking_pool_of(self);
  if (!pool) return make_error(errc::unavailable, "the blocking pool is not running");
  auto rp = self->make_response_promise();
  auto record = n.record;
  auto ctx = self->state.ctx;
  run_blocking(
      self, pool, [record, ctx]() -> caf::error { return tear_down_network(record, *ctx); },
      [self, rp](caf::error err) mutable {
        if (err)
          lg.warn("cannot remove a bridge",
                  {{"network", self->state.net.record.id}, {"error", error_message(err)}});
        auto store = directory::lookup<state_store_actor>(self->system(), directory::state);
        if (!store) return rp.deliver(make_error(errc::unavailable, "the state store is gone"));
        std::vector<storage::state_op> ops{
            storage::state_op::erase("network", self->state.net.record.id)};
        self->request(store, std::chrono::seconds(30), commit_atom_v, std::move(ops))
            .await(
                [self, rp]() mutable {
                  if (self->state.ctx->dns)
                    self->state.ctx->dns->remove_network(self->state.net.record.id);
                  publish_event(self, "destroy");
                  rp.deliver(caf::unit);
                  self->quit();
                },
                [rp](caf::error& e) mutable { rp.deliver(e); });
      });
  return rp;
}

nlohmann::json inspect_body(const network_state_record& n) {
  std::vector<net::network_endpoint_info> containers;
  for (const auto& [id, e] : n.endpoints)
    containers.push_back({id, e.container_name, e.endpoint_id, e.mac, e.address.to_string(), ""});
  return net::network_inspect_json(n.record, containers);
}

network_actor::behavior_type network_impl(network_pointer self,
                                          std::shared_ptr<const daemon_context> ctx,
                                          network_state_record state) {
  self->state.ctx = ctx;
  self->state.net = std::move(state);
  auto probe = ctx->probes->actor("network");
  return {
      timed(self, probe,
            [self](create_atom) -> caf::result<void> {
              auto rp = self->make_response_promise();
              persist(self, [self, rp](caf::error err) mutable {
                if (err) return rp.deliver(err);
                set_up(self, rp);
              });
              return rp;
            }),
      timed(self, probe,
            [self](restore_atom) -> caf::result<void> {
              auto rp = self->make_response_promise();
              set_up(self, rp);
              return rp;
            }),
      timed(self, probe,
            [self](join_atom, const endpoint_request& req) { return join(self, req); }),
      timed(self, probe,
            [self](leave_atom, const std::string& container, bool delete_link) {
              return leave(self, container, delete_link);
            }),
      timed(self, probe, [self](inspect_atom) { return inspect_body(self->state.net); }),
      timed(self, probe,
            [self](caf::get_atom, users_atom) {
              std::vector<std::string> ids;
              for (const auto& [id, e] : self->state.net.endpoints)
                ids.push_back(id);
              return ids;
            }),
      timed(self, probe, [self](caf::delete_atom) { return remove(self); }),
  };
}

} // namespace

std::string to_state_json(const network_state_record& n) {
  nlohmann::json pools = nlohmann::json::array();
  for (const auto& p : n.pools)
    pools.push_back(p.to_json());
  nlohmann::json endpoints = nlohmann::json::object();
  for (const auto& [id, e] : n.endpoints)
    endpoints[id] = to_json(e);
  return nlohmann::json{
      {"Record", net::network_record_to_json(n.record)}, {"Pools", pools}, {"Endpoints", endpoints}}
      .dump();
}

caf::expected<network_state_record> network_from_state_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error(errc::internal, "corrupt network");
  network_state_record n;
  auto record = net::network_record_from_json(j.value("Record", nlohmann::json::object()));
  if (!record) return record.error();
  n.record = std::move(*record);
  auto pools = j.value("Pools", nlohmann::json::array());
  auto endpoints = j.value("Endpoints", nlohmann::json::object());
  for (const auto& p : pools) {
    auto pool = net::ipam_pool::from_json(p);
    if (!pool) return pool.error();
    n.pools.push_back(std::move(*pool));
  }
  for (const auto& [id, e] : endpoints.items()) {
    auto endpoint = endpoint_from_json(e);
    if (!endpoint) return endpoint.error();
    n.endpoints[id] = std::move(*endpoint);
  }
  return n;
}

network_actor spawn_network_actor(caf::actor_system& sys, std::shared_ptr<const daemon_context> ctx,
                                  network_state_record state) {
  return sys.spawn(network_impl, std::move(ctx), std::move(state));
}

} // namespace berth::actors
