// The bounded in-memory history of recent events that /events?since= replays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "actors/event.hpp"
#include "base/filter_args.hpp"

namespace berth::actors {

class event_journal {
 public:
  explicit event_journal(size_t capacity) : capacity_(capacity) {}

  /// Stamps `ev` with the next sequence number (and `now` when it has no time), stores it and
  /// returns the stored copy. The oldest event is dropped when full.
  const event& append(event ev, int64_t now_nanos);

  /// Events with since <= time <= until (until = 0: no upper bound) that pass `filters`, oldest
  /// first.
  [[nodiscard]] std::vector<event> query(int64_t since_nanos, int64_t until_nanos,
                                         const filter_args& filters) const;

  [[nodiscard]] size_t size() const { return events_.size(); }
  [[nodiscard]] uint64_t last_seq() const { return next_seq_ - 1; }

 private:
  size_t capacity_;
  uint64_t next_seq_ = 1;
  std::deque<event> events_;
};

} // namespace berth::actors
