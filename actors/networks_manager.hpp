// Protocol of the networks manager: one actor per network and the built-in networks. (The bridge
// driver arrives with the networking issue.)
#pragma once

#include <cstdint>
#include <memory>

#include <caf/meta/type_name.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/daemon_context.hpp"

namespace berth::actors {

/// Counts reported by the networks manager.
struct network_counts {
  uint64_t networks = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, network_counts& x) {
  return f(caf::meta::type_name("berth.network_counts"), x.networks);
}

/// Messages:
/// - `(get, counts)`: how many networks exist.
using networks_manager_actor =
    caf::typed_actor<caf::replies_to<caf::get_atom, counts_atom>::with<network_counts>>;

[[nodiscard]] networks_manager_actor
spawn_networks_manager(caf::actor_system& sys, std::shared_ptr<const daemon_context> ctx);

} // namespace berth::actors
