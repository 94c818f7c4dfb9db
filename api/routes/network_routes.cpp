// Network routes: list, inspect, create, delete, connect, disconnect, prune.
#include <caf/event_based_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/containers_manager.hpp"
#include "actors/directory.hpp"
#include "actors/networks_manager.hpp"
#include "api/actor_bridge.hpp"
#include "api/json_body.hpp"
#include "api/routes/routes.hpp"

namespace berth::api {

namespace {

using json = nlohmann::json;
using actors::networks_manager_actor;

constexpr auto network_operation = std::chrono::seconds(120);

networks_manager_actor manager(const exchange_ptr& ex) {
  return find_actor<networks_manager_actor>(ex, actors::directory::networks);
}

void list(const exchange_ptr& ex) {
  auto target = manager(ex);
  if (!target) return;
  auto filters = filter_args::parse(ex->request().query.get("filters"));
  if (!filters) return ex->reply_error(filters.error());
  ask(
      ex, target, [ex](json& out) { ex->reply_json(200, out); }, actors::list_atom_v,
      std::move(*filters));
}

void inspect(const exchange_ptr& ex) {
  auto target = manager(ex);
  if (!target) return;
  ask(
      ex, target, [ex](json& out) { ex->reply_json(200, out); }, actors::inspect_atom_v,
      ex->request().param("id"));
}

void create(const exchange_ptr& ex) {
  auto target = manager(ex);
  if (!target) return;
  if (ex->request().body.empty())
    return ex->reply_error(make_error(errc::invalid_argument, "bad parameter: missing body"));
  auto body = json::parse(ex->request().body, nullptr, false);
  if (body.is_discarded())
    return ex->reply_error(make_error(errc::invalid_argument, "invalid JSON: malformed body"));
  actors::network_create_request req{std::move(body), ex->request().version >= api_version{1, 48}};
  ask_within(
      ex, target, network_operation, [ex](json& out) { ex->reply_json(201, out); },
      actors::create_atom_v, std::move(req));
}

void remove(const exchange_ptr& ex) {
  auto target = manager(ex);
  if (!target) return;
  auto name = ex->request().param("id");
  ask_within(
      ex, target, network_operation, [ex]() { ex->reply_status(204); }, caf::delete_atom_v, name);
}

void prune(const exchange_ptr& ex) {
  auto target = manager(ex);
  if (!target) return;
  auto filters = filter_args::parse(ex->request().query.get("filters"));
  if (!filters) return ex->reply_error(filters.error());
  ask_within(
      ex, target, network_operation,
      [ex](std::vector<std::string>& removed) {
        ex->reply_json(200,
                       json{{"NetworksDeleted", removed.empty() ? json(nullptr) : json(removed)}});
      },
      actors::prune_atom_v, std::move(*filters));
}

// EndpointConfig of a connect request: aliases, --ip, --mac-address.
caf::expected<actors::container_network> endpoint_config(const json& body) {
  actors::container_network n;
  auto config = body.find("EndpointConfig");
  if (config == body.end() || config->is_null()) return n;
  if (!config->is_object())
    return make_error(errc::invalid_argument, "invalid JSON: EndpointConfig must be an object");
  if (auto a = config->find("Aliases"); a != config->end() && a->is_array())
    for (const auto& alias : *a)
      if (alias.is_string()) n.aliases.push_back(alias.get<std::string>());
  if (auto ipam = config->find("IPAMConfig"); ipam != config->end() && ipam->is_object()) {
    n.ipv4 = ipam->value("IPv4Address", "");
    if (!n.ipv4.empty() && !ipv4_address::parse(n.ipv4))
      return make_error(errc::invalid_argument, "invalid IPv4 address: " + n.ipv4);
  }
  if (auto mac = config->find("MacAddress"); mac != config->end() && mac->is_string())
    n.mac = mac->get<std::string>();
  return n;
}

// connect/disconnect: the network first (404 network), then the container (404 container).
template <class Then>
void with_network_and_container(const exchange_ptr& ex, const json& body, Then then) {
  auto networks = manager(ex);
  if (!networks) return;
  auto containers = find_actor<actors::containers_manager_actor>(ex, actors::directory::containers);
  if (!containers) return;
  auto container = body.value("Container", "");
  auto network = ex->request().param("id");
  with_actor(ex, [ex, networks, containers, container, network,
                  then](caf::event_based_actor* self) mutable {
    auto timeout = ex->context().request_timeout();
    self->request(networks, timeout, actors::resolve_atom_v, network)
        .then(
            [self, ex, containers, container, timeout, then](actors::network_ref& ref) mutable {
              self->request(containers, timeout, actors::resolve_atom_v, container)
                  .then([self, ex, ref, then](
                            actors::resolved_container& found) mutable { then(self, ref, found); },
                        [ex](caf::error& err) { ex->reply_error(err); });
            },
            [ex](caf::error& err) { ex->reply_error(err); });
  });
}

void connect(const exchange_ptr& ex) {
  auto body = json_object_body(ex);
  if (!body) return ex->reply_error(body.error());
  auto config = endpoint_config(*body);
  if (!config) return ex->reply_error(config.error());
  with_network_and_container(
      ex, *body,
      [ex, config = *config](caf::event_based_actor* self, actors::network_ref& ref,
                             actors::resolved_container& found) mutable {
        if (ref.driver == "host" || ref.driver == "null")
          return ex->reply_error(make_error(errc::forbidden,
                                            "container cannot be disconnected from host network "
                                            "or connected to host network"));
        if (!config.aliases.empty() && ref.default_bridge)
          return ex->reply_error(make_error(
              errc::invalid_argument,
              "network-scoped alias is supported only for containers in user defined networks"));
        config.name = ref.name;
        self->request(found.actor, network_operation, actors::connect_atom_v, std::move(config))
            .then([ex]() { ex->reply_status(200); },
                  [ex](caf::error& err) { ex->reply_error(err); });
      });
}

void disconnect(const exchange_ptr& ex) {
  auto body = json_object_body(ex);
  if (!body) return ex->reply_error(body.error());
  with_network_and_container(ex, *body,
                             [ex](caf::event_based_actor* self, actors::network_ref& ref,
                                  actors::resolved_container& found) {
                               self->request(found.actor, network_operation,
                                             actors::disconnect_atom_v, ref.name)
                                   .then([ex]() { ex->reply_status(200); },
                                         [ex](caf::error& err) { ex->reply_error(err); });
                             });
}

} // namespace

void add_network_routes(router& r) {
  r.add("GET", "/networks", list);
  r.add("GET", "/networks/{id}", inspect);
  r.add("POST", "/networks/create", create);
  r.add("DELETE", "/networks/{id}", remove);
  r.add("POST", "/networks/prune", prune);
  r.add("POST", "/networks/{id}/connect", connect);
  r.add("POST", "/networks/{id}/disconnect", disconnect);
}

} // namespace berth::api
