// The networks manager: the index of networks, create/list/inspect/delete/prune, and the routing
// of joins and leaves to the network actors.
#include "actors/networks_manager.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/blocking_pool.hpp"
#include "actors/directory.hpp"
#include "actors/events_actor.hpp"
#include "actors/instrumented.hpp"
#include "actors/networks_manager_state.hpp"
#include "base/error.hpp"
#include "base/log.hpp"
#include "base/random.hpp"
#include "base/time.hpp"
#include "metrics/daemon_probes.hpp"
#include "net/ipam_subnets.hpp"
#include "net/network_spec.hpp"
#include "net/routes.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"networks"};

caf::error not_found(const std::string& key) {
  return make_error(errc::not_found, "network " + key + " not found");
}

void observe(networks_pointer self, const std::string& action, int64_t began) {
  self->state.ctx->probes->networks()->observe_action(
      action, static_cast<double>(monotonic_nanos() - began) / 1e9);
}

std::vector<net::network_record> records_of(const networks_state& st) {
  std::vector<net::network_record> out;
  for (const auto& [id, e] : st.networks)
    out.push_back(e.record);
  return out;
}

// -- create -----------------------------------------------------------------------------------

// Berth names bridges after its prefix, so that every bridge a daemon made is recognisable.
void name_bridge(net::network_record& record, const daemon_context& ctx) {
  if (record.driver != "bridge" || record.options.count("com.docker.network.bridge.name")) return;
  record.bridge_name = ctx.config.network_prefix + "-" + record.id.substr(0, 8);
}

void spawn_planned(networks_pointer self, net::network_plan plan,
                   caf::typed_response_promise<nlohmann::json> rp, int64_t began) {
  auto name = plan.record.name;
  network_state_record state{plan.record, std::move(plan.pools), {}};
  auto actor = spawn_network_actor(self->system(), self->state.ctx, std::move(state));
  auto record = plan.record;
  self->request(actor, std::chrono::seconds(60), create_atom_v)
      .then(
          [self, rp, record, actor, began]() mutable {
            self->state.names_being_created.erase(record.name);
            adopt_network(self, record, actor);
            publish_network_event(self, record, "create");
            observe(self, "create", began);
            rp.deliver(nlohmann::json{{"Id", record.id}, {"Warning", ""}});
          },
          [self, rp, name, actor](caf::error& err) mutable {
            self->state.names_being_created.erase(name);
            self->send_exit(actor, caf::exit_reason::user_shutdown);
            rp.deliver(err);
          });
}

caf::result<nlohmann::json> create(networks_pointer self, const network_create_request& req) {
  auto parsed = net::parse_network_create(req.body, req.api_has_enable_ipv4);
  if (!parsed) return parsed.error();
  auto& st = self->state;
  if (st.names_being_created.count(parsed->name))
    return make_error(errc::conflict, "network with name " + parsed->name + " already exists");
  auto pools = net::local_address_pools(st.ctx->config.default_address_pools);
  if (!pools) return pools.error();
  auto pool = blocking_pool_of(self);
  if (!pool) return make_error(errc::unavailable, "the blocking pool is not running");
  auto rp = self->make_response_promise<nlohmann::json>();
  auto began = monotonic_nanos();
  auto request = std::move(*parsed);
  if (!request.name.empty()) st.names_being_created.insert(request.name);
  run_blocking(
      self, pool, []() { return net::ipv4_routes(); },
      [self, rp, request, pools = *pools,
       began](caf::expected<std::vector<ipv4_cidr>> routes) mutable {
        auto& s = self->state;
        net::network_create_context context;
        context.id = random_hex(32);
        context.created = unix_nanos_now();
        context.existing = records_of(s);
        context.address_pools = pools;
        if (routes) context.reserved = *routes;
        auto plan = net::plan_network_create(request, context);
        if (!plan) {
          s.names_being_created.erase(request.name);
          {
            rp.deliver(plan.error());
            return;
          }
        }
        name_bridge(plan->record, *s.ctx);
        spawn_planned(self, std::move(*plan), rp, began);
      });
  return rp;
}

// -- list / delete / prune --------------------------------------------------------------------

bool builtin(const net::network_record& r) {
  return net::is_predefined_network_name(r.name);
}

caf::expected<bool> matches(const net::network_record& r, const filter_args& f) {
  if (!f.exact_match("driver", r.driver) || !f.fuzzy_match("id", r.id) ||
      !f.match_kv_list("label", r.labels) || !f.exact_match("scope", r.scope))
    return false;
  if (!f.pattern_match("name", r.name)) return false;
  if (f.contains("type")) {
    for (const auto& t : f.get("type"))
      if (t != "custom" && t != "builtin")
        return make_error(errc::invalid_argument, "invalid filter: 'type'='" + t + "'");
    if (!f.exact_match("type", builtin(r) ? "builtin" : "custom")) return false;
  }
  return true;
}

void list(networks_pointer self, const filter_args& f,
          caf::typed_response_promise<nlohmann::json> reply) {
  if (auto err = f.validate({"dangling", "driver", "id", "label", "name", "scope", "type"})) {
    reply.deliver(err);
    return;
  }
  auto dangling = f.get_bool_or("dangling", false);
  if (!dangling) {
    reply.deliver(dangling.error());
    return;
  }
  auto out = nlohmann::json::array();
  std::vector<std::pair<std::string, caf::actor>> wanted;
  for (const auto& [id, e] : self->state.networks) {
    auto m = matches(e.record, f);
    if (!m) {
      reply.deliver(m.error());
      return;
    }
    if (!*m) continue;
    auto body = net::network_inspect_json(e.record, {});
    body["Containers"] = nlohmann::json::object();
    out.push_back(std::move(body));
    wanted.emplace_back(id, caf::actor_cast<caf::actor>(e.actor));
  }
  if (!f.contains("dangling") || wanted.empty()) {
    reply.deliver(std::move(out));
    return;
  }
  // dangling=true: networks no container uses (built-ins never count as dangling).
  auto rp = reply;
  auto result = std::make_shared<nlohmann::json>(nlohmann::json::array());
  auto remaining = std::make_shared<size_t>(wanted.size());
  auto bodies = std::make_shared<nlohmann::json>(std::move(out));
  for (size_t i = 0; i < wanted.size(); ++i) {
    auto actor = caf::actor_cast<network_actor>(wanted[i].second);
    self->request(actor, std::chrono::seconds(10), caf::get_atom_v, users_atom_v)
        .then(
            [rp, result, remaining, bodies, i,
             want = *dangling](std::vector<std::string>& users) mutable {
              auto& body = (*bodies)[i];
              bool is_dangling = users.empty() && !net::is_predefined_network_name(
                                                      body.value("Name", std::string{}));
              if (is_dangling == want) result->push_back(body);
              if (--*remaining == 0) rp.deliver(*result);
            },
            [rp, result, remaining](caf::error&) mutable {
              if (--*remaining == 0) rp.deliver(*result);
            });
  }
}

caf::result<void> remove(networks_pointer self, const std::string& key) {
  auto found = find_network(self->state, key);
  if (!found) return found.error();
  const auto& record = (*found)->record;
  if (builtin(record))
    return make_error(errc::forbidden,
                      record.name + " is a pre-defined network and cannot be removed");
  auto rp = self->make_response_promise();
  auto began = monotonic_nanos();
  self->request((*found)->actor, std::chrono::seconds(60), caf::delete_atom_v)
      .then(
          [self, rp, began]() mutable {
            observe(self, "delete", began);
            rp.deliver(caf::unit);
          },
          [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

// Removes the unused user-defined networks one after the other.
void prune_next(networks_pointer self, std::shared_ptr<std::vector<std::string>> candidates,
                std::shared_ptr<std::vector<std::string>> removed,
                caf::typed_response_promise<std::vector<std::string>> rp) {
  if (candidates->empty()) {
    rp.deliver(*removed);
    return;
  }
  auto id = candidates->back();
  candidates->pop_back();
  auto i = self->state.networks.find(id);
  if (i == self->state.networks.end()) return prune_next(self, candidates, removed, rp);
  auto name = i->second.record.name;
  self->request(i->second.actor, std::chrono::seconds(60), caf::delete_atom_v)
      .then(
          [self, candidates, removed, rp, name]() mutable {
            removed->push_back(name);
            prune_next(self, candidates, removed, rp);
          },
          [self, candidates, removed, rp](caf::error&) mutable {
            prune_next(self, candidates, removed, rp); // in use: kept
          });
}

caf::result<std::vector<std::string>> prune(networks_pointer self, const filter_args& f) {
  if (auto err = f.validate({"until", "label", "label!"})) return err;
  std::optional<int64_t> until;
  for (const auto& u : f.get("until")) {
    until = parse_filter_time(u, unix_nanos_now());
    if (!until) return make_error(errc::invalid_argument, "invalid filter 'until=" + u + "'");
  }
  auto candidates = std::make_shared<std::vector<std::string>>();
  for (const auto& [id, e] : self->state.networks) {
    if (builtin(e.record) || !f.match_kv_list("label", e.record.labels)) continue;
    if (f.contains("label!")) {
      bool excluded = false;
      for (const auto& l : f.get("label!")) {
        filter_args one;
        one.add("label", l);
        excluded = excluded || one.match_kv_list("label", e.record.labels);
      }
      if (excluded) continue;
    }
    if (until && e.record.created > *until) continue;
    candidates->push_back(id);
  }
  auto rp = self->make_response_promise<std::vector<std::string>>();
  prune_next(self, candidates, std::make_shared<std::vector<std::string>>(), rp);
  return rp;
}

// -- joins ------------------------------------------------------------------------------------

caf::result<endpoint_info> join(networks_pointer self, const endpoint_request& req) {
  auto found = find_network(self->state, req.network);
  if (!found) return found.error();
  auto rp = self->make_response_promise<endpoint_info>();
  auto began = monotonic_nanos();
  self->request((*found)->actor, std::chrono::seconds(60), join_atom_v, req)
      .then(
          [self, rp, began](endpoint_info& e) mutable {
            observe(self, "connect", began);
            rp.deliver(std::move(e));
          },
          [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

caf::result<void> leave(networks_pointer self, const std::string& container,
                        const std::string& network_id, bool delete_link) {
  auto i = self->state.networks.find(network_id);
  if (i == self->state.networks.end()) return caf::unit;
  auto rp = self->make_response_promise();
  auto began = monotonic_nanos();
  self->request(i->second.actor, std::chrono::seconds(60), leave_atom_v, container, delete_link)
      .then(
          [self, rp, began]() mutable {
            observe(self, "disconnect", began);
            rp.deliver(caf::unit);
          },
          [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

network_ref ref_of(const networks_state::entry& e) {
  network_ref ref;
  ref.id = e.record.id;
  ref.name = e.record.name;
  ref.driver = e.record.driver;
  ref.default_bridge = e.record.name == "bridge";
  for (const auto& c : e.record.ipam_configs)
    ref.user_configured_subnet = ref.user_configured_subnet || !c.subnet.empty();
  ref.actor = caf::actor_cast<caf::actor>(e.actor);
  return ref;
}

networks_manager_actor::behavior_type networks_impl(networks_pointer self,
                                                    std::shared_ptr<const daemon_context> ctx) {
  self->state.ctx = ctx;
  auto probe = ctx->probes->actor("networks");
  self->set_down_handler([self](const caf::down_msg& msg) {
    for (auto i = self->state.networks.begin(); i != self->state.networks.end(); ++i)
      if (i->second.actor.address() == msg.source) {
        if (msg.reason && msg.reason != caf::exit_reason::user_shutdown)
          lg.error("a network actor failed", {{"network", i->first}});
        self->state.networks.erase(i);
        return;
      }
  });
  self->set_exit_handler([self](const caf::exit_msg& msg) {
    for (auto& [id, e] : self->state.networks)
      self->send_exit(e.actor, msg.reason);
    self->quit(msg.reason);
  });
  start_networks(self);
  return {
      timed(self, probe,
            [self](caf::get_atom, counts_atom) {
              return network_counts{self->state.networks.size()};
            }),
      timed(self, probe,
            [self](caf::get_atom, ready_atom) -> caf::result<void> {
              auto rp = self->make_response_promise();
              self->state.ready_waiters.push_back(rp);
              answer_ready_waiters(self);
              return rp;
            }),
      timed(self, probe,
            [self](create_atom, const network_create_request& req) { return create(self, req); }),
      timed(self, probe,
            [self](list_atom, const filter_args& f) -> caf::result<nlohmann::json> {
              auto rp = self->make_response_promise<nlohmann::json>();
              list(self, f, rp);
              return rp;
            }),
      timed(self, probe,
            [self](inspect_atom, const std::string& key) -> caf::result<nlohmann::json> {
              auto found = find_network(self->state, key);
              if (!found) return found.error();
              return self->delegate((*found)->actor, inspect_atom_v);
            }),
      timed(self, probe,
            [self](resolve_atom, const std::string& key) -> caf::result<network_ref> {
              auto found = find_network(self->state, key);
              if (!found) return found.error();
              return ref_of(**found);
            }),
      timed(self, probe,
            [self](caf::delete_atom, const std::string& key) { return remove(self, key); }),
      timed(self, probe, [self](prune_atom, const filter_args& f) { return prune(self, f); }),
      timed(self, probe,
            [self](join_atom, const endpoint_request& req) { return join(self, req); }),
      timed(self, probe,
            [self](leave_atom, const std::string& container, const std::string& network,
                   bool delete_link) { return leave(self, container, network, delete_link); }),
      timed(self, probe,
            [self](caf::publish_atom, publish_request& req) {
              return publish(self, std::move(req));
            }),
      timed(self, probe,
            [self](unpublish_atom, const std::string& container) {
              return unpublish(self, container);
            }),
  };
}

} // namespace

caf::expected<const networks_state::entry*> find_network(const networks_state& st,
                                                         const std::string& key) {
  if (key.empty()) return not_found(key);
  if (auto i = st.networks.find(key); i != st.networks.end()) return &i->second;
  for (const auto& [id, e] : st.networks)
    if (e.record.name == key) return &e;
  const networks_state::entry* match = nullptr;
  for (const auto& [id, e] : st.networks) {
    if (id.rfind(key, 0) != 0) continue;
    if (match)
      return make_error(errc::invalid_argument,
                        "network " + key + " is ambiguous (2 matches found based on ID prefix)");
    match = &e;
  }
  if (!match) return not_found(key);
  return match;
}

void adopt_network(networks_pointer self, net::network_record record, network_actor actor) {
  self->monitor(actor);
  auto id = record.id;
  self->state.networks[id] = networks_state::entry{std::move(record), std::move(actor)};
}

void publish_network_event(networks_pointer self, const net::network_record& record,
                           const std::string& action) {
  auto events = directory::lookup<events_actor>(self->system(), directory::events);
  if (!events) return;
  event ev;
  ev.type = "network";
  ev.action = action;
  ev.actor_id = record.id;
  ev.attributes = record.labels;
  ev.attributes["name"] = record.name;
  ev.attributes["type"] = record.driver;
  self->send(events, caf::publish_atom_v, std::move(ev));
}

networks_manager_actor spawn_networks_manager(caf::actor_system& sys,
                                              std::shared_ptr<const daemon_context> ctx) {
  return sys.spawn(networks_impl, std::move(ctx));
}

} // namespace berth::actors
