// Protocol of the state store actor: the only owner of the SQLite connection. It runs detached (its
// own thread), so commits and fsyncs never block the scheduler. Actors persist a change here and
// reply to their caller only after the commit succeeded.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "storage/state_store.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<berth::storage::state_op>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<berth::storage::state_record>)

namespace berth::metrics {
class actor_probe;
} // namespace berth::metrics

namespace berth::actors {

/// Messages:
/// - `(commit, ops)`: applies the batch in one transaction; replies when durable, or an error.
/// - `(load, kind)`: every stored object of `kind`.
using state_store_actor = caf::typed_actor<
    caf::replies_to<commit_atom, std::vector<storage::state_op>>::with<void>,
    caf::replies_to<load_atom, std::string>::with<std::vector<storage::state_record>>>;

/// Spawns the detached state store actor owning `store`.
[[nodiscard]] state_store_actor
spawn_state_store_actor(caf::actor_system& sys, std::shared_ptr<storage::state_store> store,
                        std::shared_ptr<metrics::actor_probe> probe);

} // namespace berth::actors
