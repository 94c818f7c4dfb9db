// Protocol of the volumes manager: one actor per volume. (The local driver arrives with the volumes
// issue.)
#pragma once

#include <cstdint>
#include <memory>

#include <caf/meta/type_name.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/daemon_context.hpp"

namespace berth::actors {

/// Counts reported by the volumes manager.
struct volume_counts {
  uint64_t volumes = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, volume_counts& x) {
  return f(caf::meta::type_name("berth.volume_counts"), x.volumes);
}

/// Messages:
/// - `(get, counts)`: how many volumes exist.
using volumes_manager_actor =
    caf::typed_actor<caf::replies_to<caf::get_atom, counts_atom>::with<volume_counts>>;

[[nodiscard]] volumes_manager_actor
spawn_volumes_manager(caf::actor_system& sys, std::shared_ptr<const daemon_context> ctx);

} // namespace berth::actors
