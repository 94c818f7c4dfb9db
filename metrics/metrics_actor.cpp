// The metrics actor.
#include "metrics/metrics_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/instrumented.hpp"
#include "metrics/daemon_probes.hpp"

namespace berth::metrics {

namespace {

metrics_actor::behavior_type metrics_impl(metrics_actor::pointer self,
                                          std::shared_ptr<daemon_probes> probes) {
  auto probe = probes->actor("metrics");
  return {
      actors::timed(
          self, probe,
          [probes](caf::get_atom, actors::metrics_atom) { return probes->registry().render(); }),
  };
}

} // namespace

metrics_actor spawn_metrics_actor(caf::actor_system& sys, std::shared_ptr<daemon_probes> probes) {
  return sys.spawn(metrics_impl, std::move(probes));
}

} // namespace berth::metrics
