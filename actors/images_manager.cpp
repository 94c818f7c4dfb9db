// The images manager.
#include "actors/images_manager.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/instrumented.hpp"
#include "metrics/daemon_probes.hpp"

namespace berth::actors {

namespace {

struct images_state {
  std::shared_ptr<const daemon_context> ctx;
  image_counts counts;
  static inline const char* name = "images";
};

using images_pointer = images_manager_actor::stateful_pointer<images_state>;

images_manager_actor::behavior_type images_impl(images_pointer self,
                                                std::shared_ptr<const daemon_context> ctx) {
  self->state.ctx = ctx;
  auto probe = ctx->probes->actor("images");
  return {
      timed(self, probe, [self](caf::get_atom, counts_atom) { return self->state.counts; }),
  };
}

} // namespace

images_manager_actor spawn_images_manager(caf::actor_system& sys,
                                          std::shared_ptr<const daemon_context> ctx) {
  return sys.spawn(images_impl, std::move(ctx));
}

} // namespace berth::actors
