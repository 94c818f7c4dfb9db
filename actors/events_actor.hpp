// Protocol of the events actor: every component publishes here; /events subscribers are fed from
// here. It keeps a bounded journal so `since` can replay recent history.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/event.hpp"
#include "actors/message_types.hpp"
#include "base/filter_args.hpp"

namespace berth::metrics {
class engine_probe;
class actor_probe;
} // namespace berth::metrics

namespace berth::actors {

/// Counts reported by the events actor.
struct events_counts {
  uint64_t published = 0;
  uint64_t subscribers = 0; ///< clients only (`docker info`'s NEventsListener)
};

/// Who subscribes: an API client (counted as a listener, as dockerd counts them) or a part of the
/// daemon that follows events (e.g. the stats sampler), which dockerd would not show.
enum class subscriber_kind : uint8_t { client, internal };

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, events_counts& x) {
  return f(caf::meta::type_name("berth.events_counts"), x.published, x.subscribers);
}

/// Messages:
/// - `(publish, event)`: record and fan out an event.
/// - `(subscribe, filters, since, until, subscriber, kind)`: returns the journal's matching events
///   from `since` (unix ns; 0 = none) to `until` (0 = open); then, unless `until` has passed,
///   sends `(event, event)` for each new matching event to `subscriber` until it goes down or
///   unsubscribes.
/// - `(unsubscribe, subscriber)`.
/// - `(get, counts)`: events published and current subscribers.
using events_actor =
    caf::typed_actor<caf::reacts_to<caf::publish_atom, event>,
                     caf::replies_to<caf::subscribe_atom, filter_args, int64_t, int64_t, caf::actor,
                                     subscriber_kind>::with<std::vector<event>>,
                     caf::reacts_to<caf::unsubscribe_atom, caf::actor>,
                     caf::replies_to<caf::get_atom, counts_atom>::with<events_counts>>;

/// Default number of events kept for replay.
inline constexpr size_t default_event_journal_capacity = 1024;

/// Spawns the events actor.
[[nodiscard]] events_actor
spawn_events_actor(caf::actor_system& sys, std::shared_ptr<metrics::engine_probe> engine,
                   std::shared_ptr<metrics::actor_probe> probe,
                   size_t journal_capacity = default_event_journal_capacity);

} // namespace berth::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::subscriber_kind)
