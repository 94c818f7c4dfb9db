// Routes about one container: resolve it through the containers manager (and read its record from
// its actor), inside a bridge actor, answering lookup errors (404 No such container) on the
// exchange.
#pragma once

#include <string>
#include <utility>

#include <caf/event_based_actor.hpp>

#include "actors/containers_manager.hpp"
#include "actors/directory.hpp"
#include "api/actor_bridge.hpp"

namespace berth::api {

/// Resolves the container the client named `name` (name, ID or ID prefix), then runs
/// `then(self, found)` in a bridge actor. When it cannot be reached (the containers manager is not
/// running: 503; no such container: 404) the error is answered on the exchange and `on_error()`
/// runs too, e.g. to abandon a request body nobody will read.
template <class Then, class OnError>
void with_container(const exchange_ptr& ex, std::string name, Then then, OnError on_error) {
  auto target = find_actor<actors::containers_manager_actor>(ex, actors::directory::containers);
  if (!target) return on_error();
  auto timeout = ex->context().request_timeout();
  with_actor(ex, [ex, target, timeout, name = std::move(name), then = std::move(then),
                  on_error = std::move(on_error)](caf::event_based_actor* self) mutable {
    self->request(target, timeout, actors::resolve_atom_v, std::move(name))
        .then([self, then = std::move(then)](
                  actors::resolved_container& found) mutable { then(self, found); },
              [ex, on_error = std::move(on_error)](caf::error& err) mutable {
                on_error();
                ex->reply_error(err); // No such container: <name>
              });
  });
}

/// with_container with nothing to do on errors but answer them.
template <class Then>
void with_container(const exchange_ptr& ex, std::string name, Then then) {
  with_container(ex, std::move(name), std::move(then), [] {});
}

/// Resolves {id}, reads its record, then runs `then(self, record, container)` in the bridge actor.
template <class Then>
void with_record(const exchange_ptr& ex, Then then) {
  auto timeout = ex->context().request_timeout();
  with_container(ex, ex->request().param("id"),
                 [ex, timeout, then = std::move(then)](caf::event_based_actor* self,
                                                       actors::resolved_container& found) mutable {
                   self->request(found.actor, timeout, actors::inspect_atom_v)
                       .then([self, then, actor = found.actor](
                                 actors::container_record& rec) mutable { then(self, rec, actor); },
                             [ex](caf::error& err) { ex->reply_error(err); });
                 });
}

} // namespace berth::api
