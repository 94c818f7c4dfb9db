// The volumes manager.
#include "actors/volumes_manager.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/instrumented.hpp"
#include "metrics/daemon_probes.hpp"

namespace berth::actors {

namespace {

struct volumes_state {
  std::shared_ptr<const daemon_context> ctx;
  volume_counts counts;
  static inline const char* name = "volumes";
};

using volumes_pointer = volumes_manager_actor::stateful_pointer<volumes_state>;

volumes_manager_actor::behavior_type volumes_impl(volumes_pointer self,
                                                  std::shared_ptr<const daemon_context> ctx) {
  self->state.ctx = ctx;
  auto probe = ctx->probes->actor("volumes");
  return {
      timed(self, probe, [self](caf::get_atom, counts_atom) { return self->state.counts; }),
  };
}

} // namespace

volumes_manager_actor spawn_volumes_manager(caf::actor_system& sys,
                                            std::shared_ptr<const daemon_context> ctx) {
  return sys.spawn(volumes_impl, std::move(ctx));
}

} // namespace berth::actors
