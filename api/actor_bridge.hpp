// How handlers talk to actors without blocking an I/O thread: a short-lived actor sends the
// request with the context's deadline and runs the continuation when the answer arrives. Errors
// (including timeouts and a missing manager) are answered as Docker errors automatically.
#pragma once

#include <string>
#include <tuple>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "actors/directory.hpp"
#include "api/exchange.hpp"
#include "base/error.hpp"

namespace berth::api {

/// Runs `body(self)` inside a fresh event-based actor; `body` may issue several requests.
template <class Body>
void with_actor(const exchange_ptr& ex, Body body) {
  ex->context().system().spawn(
      [body = std::move(body)](caf::event_based_actor* self) mutable { body(self); });
}

/// Looks up the manager registered under `name`; answers 503 and returns an invalid handle when it
/// is not running (starting, restarting or shutting down).
template <class Handle>
[[nodiscard]] Handle find_actor(const exchange_ptr& ex, caf::atom_value name) {
  auto handle = actors::directory::lookup<Handle>(ex->context().system(), name);
  if (!handle)
    ex->reply_error(make_error(errc::unavailable, "the " + caf::to_string(name) +
                                                      " component is not available, try again"));
  return handle;
}

/// Sends `args...` to `target` and calls `on_value` with the answer inside the bridge actor.
/// On error or after `timeout`, answers `ex` with the error.
template <class Handle, class OnValue, class... Ts>
void ask_within(const exchange_ptr& ex, const Handle& target, caf::timespan timeout,
                OnValue on_value, Ts... args) {
  with_actor(
      ex, [ex, target, timeout, on_value = std::move(on_value),
           args = std::make_tuple(std::move(args)...)](caf::event_based_actor* self) mutable {
        std::apply(
            [&](auto&... xs) {
              self->request(target, timeout, std::move(xs)...)
                  .then(std::move(on_value), [ex](caf::error& err) { ex->reply_error(err); });
            },
            args);
      });
}

/// ask_within with the API's request timeout.
template <class Handle, class OnValue, class... Ts>
void ask(const exchange_ptr& ex, const Handle& target, OnValue on_value, Ts... args) {
  ask_within(ex, target, ex->context().request_timeout(), std::move(on_value), std::move(args)...);
}

} // namespace berth::api
