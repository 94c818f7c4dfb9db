// Routes about one container ({id}): resolve it through the containers manager and read its
// record from its actor, inside a bridge actor, answering lookup errors (404 No such container)
// on the exchange.
#pragma once

#include <caf/event_based_actor.hpp>

#include "actors/containers_manager.hpp"
#include "actors/directory.hpp"
#include "api/actor_bridge.hpp"

namespace berth::api {

/// Resolves {id}, reads its record, then runs `then(self, record, container)` in the bridge actor.
template <class Then>
void with_record(const exchange_ptr& ex, Then then) {
  auto target = find_actor<actors::containers_manager_actor>(ex, actors::directory::containers);
  if (!target) return;
  auto timeout = ex->context().request_timeout();
  with_actor(ex, [ex, target, timeout, then](caf::event_based_actor* self) mutable {
    self->request(target, timeout, actors::resolve_atom_v, ex->request().param("id"))
        .then(
            [self, ex, timeout, then](actors::resolved_container& found) mutable {
              self->request(found.actor, timeout, actors::inspect_atom_v)
                  .then([self, then, actor = found.actor](
                            actors::container_record& rec) mutable { then(self, rec, actor); },
                        [ex](caf::error& err) { ex->reply_error(err); });
            },
            [ex](caf::error& err) { ex->reply_error(err); });
  });
}

} // namespace berth::api
