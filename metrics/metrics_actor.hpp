// Protocol of the metrics actor: renders the Prometheus exposition text for /metrics.
#pragma once

#include <memory>
#include <string>

#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"

namespace berth::metrics {

class daemon_probes;

/// Messages:
/// - `(get, metrics)`: the exposition text (format 0.0.4) of every registered metric.
using metrics_actor =
    caf::typed_actor<caf::replies_to<caf::get_atom, actors::metrics_atom>::with<std::string>>;

/// Spawns the metrics actor over the daemon's probes.
[[nodiscard]] metrics_actor spawn_metrics_actor(caf::actor_system& sys,
                                                std::shared_ptr<daemon_probes> probes);

} // namespace berth::metrics
