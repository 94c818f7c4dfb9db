// Protocol of the images manager: the local image and reference store, and one actor per
// load/import job. (Content arrives with the image store issue.)
#pragma once

#include <cstdint>
#include <memory>

#include <caf/meta/type_name.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/daemon_context.hpp"

namespace berth::actors {

/// Counts reported by the images manager.
struct image_counts {
  uint64_t images = 0;
  int64_t layers_size = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, image_counts& x) {
  return f(caf::meta::type_name("berth.image_counts"), x.images, x.layers_size);
}

/// Messages:
/// - `(get, counts)`: how many images exist.
using images_manager_actor =
    caf::typed_actor<caf::replies_to<caf::get_atom, counts_atom>::with<image_counts>>;

[[nodiscard]] images_manager_actor spawn_images_manager(caf::actor_system& sys,
                                                        std::shared_ptr<const daemon_context> ctx);

} // namespace berth::actors
