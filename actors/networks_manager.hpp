// Protocol of the networks manager: the name/ID index of the networks, one network actor per
// network (network_actor.hpp), the built-in networks (bridge, host, none), and the host ports
// published for containers (one allocator, one nftables table per daemon).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/typed_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/atoms.hpp"
#include "actors/daemon_context.hpp"
#include "actors/message_types.hpp"
#include "actors/network_endpoint.hpp"
#include "net/port_spec.hpp"

namespace berth::actors {

/// Counts reported by the networks manager.
struct network_counts {
  uint64_t networks = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, network_counts& x) {
  return f(caf::meta::type_name("berth.network_counts"), x.networks);
}

/// POST /networks/create
struct network_create_request {
  nlohmann::json body;
  bool api_has_enable_ipv4 = true; ///< API ≥ 1.48
};

/// What a lookup by name or ID found.
struct network_ref {
  std::string id;
  std::string name;
  std::string driver; ///< "bridge", "host", "null"
  bool default_bridge = false;
  bool user_configured_subnet = false; ///< IPAM.Config has a subnet (--ip is allowed)
  caf::actor actor;                    ///< the network actor (bridge networks)
};

/// Ports to publish for a container on one of its endpoints.
struct publish_request {
  std::string container_id;
  endpoint_info endpoint;
  net::port_requests ports;
};

/// Messages:
/// - `(get, counts)`; `(get, ready)`: answered once the stored networks are restored.
/// - `(create, request)` → {"Id", "Warning"}; `(list, filters)` → GET /networks body;
///   `(inspect, name, verbose)` → GET /networks/{id} body; `(resolve, name)` → network_ref;
///   `(delete, name)`; `(prune, filters)` → names removed.
/// - `(join, request)` → endpoint_info: a container joins a network (its endpoint is made in its
///   namespace when the request names one). `(leave, container_id, network_id, delete_link)`:
///   undoes a join.
/// - `(publish, request)` → the host ports bound; `(unpublish, container_id)`.
using networks_manager_actor = caf::typed_actor<
    caf::replies_to<caf::get_atom, counts_atom>::with<network_counts>,
    caf::replies_to<caf::get_atom, ready_atom>::with<void>,
    caf::replies_to<create_atom, network_create_request>::with<nlohmann::json>,
    caf::replies_to<list_atom, filter_args>::with<nlohmann::json>,
    caf::replies_to<inspect_atom, std::string>::with<nlohmann::json>,
    caf::replies_to<resolve_atom, std::string>::with<network_ref>,
    caf::replies_to<caf::delete_atom, std::string>::with<void>,
    caf::replies_to<prune_atom, filter_args>::with<std::vector<std::string>>,
    caf::replies_to<join_atom, endpoint_request>::with<endpoint_info>,
    caf::replies_to<leave_atom, std::string, std::string, bool>::with<void>,
    caf::replies_to<caf::publish_atom, publish_request>::with<std::vector<net::published_port>>,
    caf::replies_to<unpublish_atom, std::string>::with<void>>;

[[nodiscard]] networks_manager_actor
spawn_networks_manager(caf::actor_system& sys, std::shared_ptr<const daemon_context> ctx);

} // namespace berth::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::network_create_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::network_ref)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::publish_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<berth::net::published_port>)
