// The bounded pool that runs blocking work (syscalls, fork/exec, fsync, tar extraction) off the
// CAF scheduler threads. Workers are detached actors, each on its own thread, spawned on demand up
// to a limit; jobs beyond the queue limit are refused with `errc::unavailable`.
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/error.hpp>

#include "actors/atoms.hpp"
#include "actors/directory.hpp"
#include "base/error.hpp"

namespace berth::metrics {
class registry;
} // namespace berth::metrics

namespace berth::actors {

/// A unit of blocking work. Runs exactly once on a worker thread.
struct blocking_job {
  std::shared_ptr<std::function<void()>> fn;
};

/// Limits of the pool.
struct blocking_pool_limits {
  size_t max_workers = 16; ///< threads at most
  size_t max_queue = 1024; ///< jobs waiting for a thread at most
};

/// Spawns the pool actor. It accepts `(run_atom, blocking_job)` and replies (empty) when the job
/// has run. Workers are linked to it and end with it.
[[nodiscard]] caf::actor spawn_blocking_pool(caf::actor_system& sys, blocking_pool_limits limits,
                                             metrics::registry* reg);

namespace detail {

template <class Job>
auto make_blocking_job(Job job) {
  using result_type = std::invoke_result_t<Job&>;
  auto slot = std::make_shared<std::optional<result_type>>();
  auto fn = std::make_shared<std::function<void()>>([slot, job = std::move(job)]() mutable {
    try {
      slot->emplace(job());
    } catch (const std::exception& e) {
      slot->emplace(result_type{make_error(errc::internal, e.what())});
    } catch (...) {
      slot->emplace(result_type{make_error(errc::internal, "unknown exception in blocking job")});
    }
  });
  return std::make_pair(slot, blocking_job{std::move(fn)});
}

} // namespace detail

/// The blocking pool as `self` finds it in the directory (invalid while it is not running).
template <class Self>
[[nodiscard]] caf::actor blocking_pool_of(Self* self) {
  return directory::lookup<caf::actor>(self->system(), directory::blocking);
}

/// Runs `job` on `pool` and then calls `then` inside `self` with the job's result.
/// `job` returns `caf::expected<T>` or `caf::error`; a refused or failed job arrives in `then` as
/// that type holding the error. Exceptions thrown by `job` become `errc::internal` errors.
/// Other messages are handled while the job runs.
template <class Self, class Job, class Then>
void run_blocking(Self* self, const caf::actor& pool, Job job, Then then) {
  using result_type = std::invoke_result_t<Job&>;
  auto [slot, wrapped] = detail::make_blocking_job(std::move(job));
  self->request(pool, caf::infinite, run_atom_v, std::move(wrapped))
      .then([slot = slot, then]() mutable { then(std::move(**slot)); },
            [then](caf::error& err) mutable { then(result_type{std::move(err)}); });
}

/// Like run_blocking, but `self` handles no other message until `then` has run: for work that
/// must finish before anything else may see the actor's state (startup, commits).
template <class Self, class Job, class Then>
void run_blocking_awaited(Self* self, const caf::actor& pool, Job job, Then then) {
  using result_type = std::invoke_result_t<Job&>;
  auto [slot, wrapped] = detail::make_blocking_job(std::move(job));
  self->request(pool, caf::infinite, run_atom_v, std::move(wrapped))
      .await([slot = slot, then]() mutable { then(std::move(**slot)); },
             [then](caf::error& err) mutable { then(result_type{std::move(err)}); });
}

} // namespace berth::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::blocking_job)
