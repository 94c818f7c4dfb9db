// Per-actor load: mailbox depth, message handling time, messages handled, restarts.
#pragma once

#include <cstddef>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include "metrics/registry.hpp"

namespace berth::metrics {

class actor_probe {
 public:
  actor_probe(registry& reg, const std::string& actor_name);

  /// Records one handled message: the mailbox depth seen when it was taken, and the time spent.
  void observe(size_t mailbox_depth, double seconds);

  /// Counts a restart of this actor by its supervisor.
  void restarted() { restarts_.Increment(); }

 private:
  prometheus::Gauge& mailbox_depth_;
  prometheus::Histogram& handling_;
  prometheus::Counter& messages_;
  prometheus::Counter& restarts_;
};

} // namespace berth::metrics
