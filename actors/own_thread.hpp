// Long blocking work (a pull or a push may take minutes) on a thread of its own: a detached actor
// spawned for the one job, so that it never holds one of the blocking pool's bounded workers.
// The worker is linked to the caller: when the caller dies, the worker goes once its job ends
// (jobs watch their own stop tokens).
#pragma once

#include <type_traits>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "actors/blocking_pool.hpp"

namespace berth::actors {

/// Runs `job` on a new thread and then calls `then` inside `self` with the job's result
/// (`caf::expected<T>` or `caf::error`; exceptions become errc::internal errors). Other messages
/// are handled while the job runs.
template <class Self, class Job, class Then>
void run_on_own_thread(Self* self, Job job, Then then) {
  using result_type = std::invoke_result_t<Job&>;
  auto [slot, wrapped] = detail::make_blocking_job(std::move(job));
  auto worker =
      self->system().template spawn<caf::detached>([](caf::event_based_actor* me) -> caf::behavior {
        return {[me](run_atom, blocking_job& work) {
          (*work.fn)();
          me->quit(); // after this answer: one job per thread
        }};
      });
  self->link_to(worker);
  self->request(worker, caf::infinite, run_atom_v, std::move(wrapped))
      .then([slot = slot, then]() mutable { then(std::move(**slot)); },
            [then](caf::error& err) mutable { then(result_type{std::move(err)}); });
}

} // namespace berth::actors
