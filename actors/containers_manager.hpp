// Protocol of the containers manager: the name/ID index of containers and supervisor of one actor
// per container. (The container lifecycle arrives with the containers issue.)
#pragma once

#include <cstdint>
#include <memory>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/daemon_context.hpp"
#include "storage/image_delete.hpp"

namespace berth::actors {

/// Container counts by state, as /info and the metrics report them.
struct container_counts {
  uint64_t total = 0;
  uint64_t running = 0;
  uint64_t paused = 0;
  uint64_t stopped = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, container_counts& x) {
  return f(caf::meta::type_name("berth.container_counts"), x.total, x.running, x.paused, x.stopped);
}

/// Messages:
/// - `(get, counts)`: containers by state.
/// - `(get, users)`: which container uses which image (for image delete and prune).
using containers_manager_actor = caf::typed_actor<
  caf::replies_to<caf::get_atom, counts_atom>::with<container_counts>,
  caf::replies_to<caf::get_atom, users_atom>::with<std::vector<storage::image_user>>>;

[[nodiscard]] containers_manager_actor
spawn_containers_manager(caf::actor_system& sys, std::shared_ptr<const daemon_context> ctx);

} // namespace berth::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<berth::storage::image_user>)
