// The networks manager.
#include "actors/networks_manager.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/instrumented.hpp"
#include "metrics/daemon_probes.hpp"

namespace berth::actors {

namespace {

struct networks_state {
  std::shared_ptr<const daemon_context> ctx;
  network_counts counts;
  static inline const char* name = "networks";
};

using networks_pointer = networks_manager_actor::stateful_pointer<networks_state>;

networks_manager_actor::behavior_type networks_impl(networks_pointer self,
                                                    std::shared_ptr<const daemon_context> ctx) {
  self->state.ctx = ctx;
  auto probe = ctx->probes->actor("networks");
  return {
      timed(self, probe, [self](caf::get_atom, counts_atom) { return self->state.counts; }),
  };
}

} // namespace

networks_manager_actor spawn_networks_manager(caf::actor_system& sys,
                                              std::shared_ptr<const daemon_context> ctx) {
  return sys.spawn(networks_impl, std::move(ctx));
}

} // namespace berth::actors
