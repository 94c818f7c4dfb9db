// The bounded in-memory history of recent events.
#include "actors/event_journal.hpp"

#include "actors/event_filter.hpp"

namespace berth::actors {

const event& event_journal::append(event ev, int64_t now_nanos) {
  ev.seq = next_seq_++;
  if (ev.time_nanos == 0) ev.time_nanos = now_nanos;
  // Times never go backwards in the journal, so replays by time stay in order.
  if (!events_.empty() && ev.time_nanos < events_.back().time_nanos)
    ev.time_nanos = events_.back().time_nanos;
  if (events_.size() == capacity_) events_.pop_front();
  events_.push_back(std::move(ev));
  return events_.back();
}

std::vector<event> event_journal::query(int64_t since_nanos, int64_t until_nanos,
                                        const filter_args& filters) const {
  std::vector<event> out;
  for (const auto& ev : events_) {
    if (ev.time_nanos < since_nanos) continue;
    if (until_nanos > 0 && ev.time_nanos > until_nanos) break;
    if (event_matches(filters, ev)) out.push_back(ev);
  }
  return out;
}

} // namespace berth::actors
