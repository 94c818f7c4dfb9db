// Protocol of a network actor: one per network, owning its record, its address pools and its
// endpoints (the containers attached). It persists every change before replying, keeps the
// kernel side (bridge, veths, nftables rules) in step through the bridge driver on the blocking
// pool, and publishes its names to the embedded DNS table.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <caf/typed_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/atoms.hpp"
#include "actors/daemon_context.hpp"
#include "actors/message_types.hpp"
#include "actors/network_endpoint.hpp"
#include "net/ipam.hpp"
#include "net/network_spec_record.hpp"

namespace berth::actors {

/// Everything a network actor owns; also its stored form (kind "network").
struct network_state_record {
  net::network_record record;
  std::vector<net::ipam_pool> pools;
  std::map<std::string, endpoint_info> endpoints; ///< by container ID
};

[[nodiscard]] std::string to_state_json(const network_state_record& n);
[[nodiscard]] caf::expected<network_state_record> network_from_state_json(const std::string& text);

/// Messages:
/// - `(create)`: a new network: persist it, then make its bridge and rules (undone on failure).
/// - `(restore)`: a stored network at daemon start: make its bridge and rules again (idempotent).
/// - `(join, request)` → endpoint_info; `(leave, container_id, delete_link)`: releases the
///   address, and the veth unless the container's namespace is already gone (it takes the veth
///   with it, asynchronously: deleting it here would wait for the kernel).
/// - `(inspect)` → GET /networks/{id} body; `(get, users)` → attached container IDs.
/// - `(delete)`: 403 while endpoints remain; removes bridge, rules and record, then quits.
using network_actor =
    caf::typed_actor<caf::replies_to<create_atom>::with<void>,
                     caf::replies_to<restore_atom>::with<void>,
                     caf::replies_to<join_atom, endpoint_request>::with<endpoint_info>,
                     caf::replies_to<leave_atom, std::string, bool>::with<void>,
                     caf::replies_to<inspect_atom>::with<nlohmann::json>,
                     caf::replies_to<caf::get_atom, users_atom>::with<std::vector<std::string>>,
                     caf::replies_to<caf::delete_atom>::with<void>>;

[[nodiscard]] network_actor spawn_network_actor(caf::actor_system& sys,
                                                std::shared_ptr<const daemon_context> ctx,
                                                network_state_record state);

} // namespace berth::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::network_state_record)
