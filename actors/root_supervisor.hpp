// The root supervisor: starts the daemon's long-lived actors in order, registers them in the
// directory, restarts any that fail (with a restart budget), and stops them in reverse order.
#pragma once

#include <memory>

#include <caf/actor.hpp>

#include "actors/daemon_context.hpp"

namespace berth::storage {
class state_store;
} // namespace berth::storage

namespace berth::actors {

/// How many restarts of one child within the window are tolerated before the supervisor gives up
/// and exits with an error (the daemon then shuts down).
struct restart_budget {
  int max_restarts = 5;
  int64_t window_nanos = 60'000'000'000;
};

/// Spawns the root supervisor. It answers `(stop_atom)` by stopping every child in reverse start
/// order and then quitting; the reply arrives after all children are gone. `(get, ready)` is
/// answered once the containers manager has restored every container.
[[nodiscard]] caf::actor spawn_root_supervisor(caf::actor_system& sys,
                                               std::shared_ptr<const daemon_context> ctx,
                                               std::shared_ptr<storage::state_store> store,
                                               restart_budget budget = {});

} // namespace berth::actors
