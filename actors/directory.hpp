// Where actors find each other: the root supervisor registers every manager under a fixed name in
// CAF's actor registry and re-registers it after a restart, so callers never hold stale handles.
#pragma once

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/atom.hpp>

namespace berth::actors::directory {

inline constexpr caf::atom_value containers = caf::atom("containers");
inline constexpr caf::atom_value images = caf::atom("images");
inline constexpr caf::atom_value networks = caf::atom("networks");
inline constexpr caf::atom_value volumes = caf::atom("volumes");
inline constexpr caf::atom_value events = caf::atom("events");
inline constexpr caf::atom_value metrics = caf::atom("metrics");
inline constexpr caf::atom_value state = caf::atom("state");
inline constexpr caf::atom_value blocking = caf::atom("blocking");
inline constexpr caf::atom_value stats = caf::atom("stats");

/// The current handle registered under `name` (invalid while it restarts or after shutdown).
template <class Handle>
[[nodiscard]] Handle lookup(caf::actor_system& sys, caf::atom_value name) {
  return sys.registry().get<Handle>(name);
}

} // namespace berth::actors::directory
