// The containers manager.
#include "actors/containers_manager.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/instrumented.hpp"
#include "metrics/daemon_probes.hpp"

namespace berth::actors {

namespace {

struct containers_state {
  std::shared_ptr<const daemon_context> ctx;
  container_counts counts;
  static inline const char* name = "containers";
};

using containers_pointer = containers_manager_actor::stateful_pointer<containers_state>;

containers_manager_actor::behavior_type containers_impl(containers_pointer self,
                                                        std::shared_ptr<const daemon_context> ctx) {
  self->state.ctx = ctx;
  auto probe = ctx->probes->actor("containers");
  const auto& c = self->state.counts;
  ctx->probes->containers()->set_states(c.running, c.paused, c.stopped);
  return {
      timed(self, probe, [self](caf::get_atom, counts_atom) { return self->state.counts; }),
    timed(self, probe,
          [](caf::get_atom, users_atom) { return std::vector<storage::image_user>{}; }),
  };
}

} // namespace

containers_manager_actor spawn_containers_manager(caf::actor_system& sys,
                                                  std::shared_ptr<const daemon_context> ctx) {
  return sys.spawn(containers_impl, std::move(ctx));
}

} // namespace berth::actors
