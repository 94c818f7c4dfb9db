// Protocol of the stats sampler: once per interval it reads every running container's cgroup and
// network counters (one job on the blocking pool for all of them), keeps the last two samples of
// each, feeds the per-container metrics, and answers `docker stats` from that cache, so stats of
// many containers cost no waiting. It learns which containers run from the container events (and
// a listing from the containers manager when it (re)connects to the events actor); with nothing
// running it sets no timer.
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/container_actor.hpp" // container_record as a message
#include "actors/daemon_context.hpp"
#include "actors/event.hpp"
#include "actors/stats_sample.hpp"

namespace berth::actors {

/// A container's latest sample and the one before it (absent until there are two).
struct stats_window {
  container_sample latest;
  std::optional<container_sample> previous;
};

/// Messages:
/// - `(get, stats, record, samples)` → stats_window, once `samples` (1 or 2) samples of the
///   running container `record` are cached (at once when they are). A container the sampler did
///   not know yet is sampled from now on. errc::conflict when it is not running or stops before;
///   errc::timeout when no sample came in time.
/// - `(subscribe, stats, record, subscriber)` → its latest sample, if any; then
///   `(stats, container_sample)` goes to `subscriber` after each sampling round, and
///   `(removed, id)` when the container is no longer sampled (it exited). errc::conflict when it
///   is not running. The subscription ends with the subscriber (monitored) or on
///   `(unsubscribe, stats, subscriber)`.
/// - `(event, event)`: container events (from the events actor).
/// - `(timer, kind)`: internal (sampling round, reconnecting to the events actor).
using stats_sampler_actor = caf::typed_actor<
    caf::replies_to<caf::get_atom, stats_atom, container_record, int>::with<stats_window>,
    caf::replies_to<caf::subscribe_atom, stats_atom, container_record,
                    caf::actor>::with<std::optional<container_sample>>,
    caf::reacts_to<caf::unsubscribe_atom, stats_atom, caf::actor>,
    caf::reacts_to<event_atom, event>, caf::reacts_to<timer_atom, uint8_t>>;

/// Spawns the sampler; `interval` is the time between two samples of a container.
[[nodiscard]] stats_sampler_actor
spawn_stats_sampler(caf::actor_system& sys, std::shared_ptr<const daemon_context> ctx,
                    std::chrono::milliseconds interval = std::chrono::seconds(1));

} // namespace berth::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::stats_window)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::optional<berth::actors::container_sample>)
