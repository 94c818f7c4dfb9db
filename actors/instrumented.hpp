// Wraps an actor's message handler so that every message records the mailbox depth and the time
// spent handling it in the actor's probe, without changing the handler's signature.
#pragma once

#include <memory>
#include <utility>

#include <caf/detail/type_list.hpp>
#include <caf/detail/type_traits.hpp>

#include "base/time.hpp"
#include "metrics/actor_probe.hpp"

namespace berth::actors {

template <class Self, class F, class Result, class Args>
struct timed_handler;

template <class Self, class F, class Result, class... Ts>
struct timed_handler<Self, F, Result, caf::detail::type_list<Ts...>> {
  Self* self;
  metrics::actor_probe* probe;
  F fn;

  Result operator()(Ts... xs) {
    struct record {
      metrics::actor_probe* probe;
      size_t depth;
      int64_t start = monotonic_nanos();
      ~record() {
        if (probe) probe->observe(depth, static_cast<double>(monotonic_nanos() - start) / 1e9);
      }
    } r{probe, self->mailbox().size()};
    return fn(std::forward<Ts>(xs)...);
  }
};

/// `timed(self, probe, [](caf::get_atom, counts_atom) { ... })` has the lambda's signature.
template <class Self, class F>
auto timed(Self* self, const std::shared_ptr<metrics::actor_probe>& probe, F fn) {
  using trait = caf::detail::get_callable_trait<F>;
  return timed_handler<Self, F, typename trait::result_type, typename trait::arg_types>{
      self, probe.get(), std::move(fn)};
}

} // namespace berth::actors
