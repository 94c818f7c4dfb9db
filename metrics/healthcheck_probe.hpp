// Healthcheck metrics as dockerd names them: probes run, probes that could not run, and the time
// it takes to get a probe's process started.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/histogram.h>

#include "metrics/registry.hpp"

namespace berth::metrics {

/// Thread-safe (prometheus-cpp metrics).
class healthcheck_probe {
 public:
  explicit healthcheck_probe(registry& reg);

  /// engine_daemon_health_checks_total: a probe begins.
  void check_started() { checks_.Increment(); }

  /// engine_daemon_health_checks_failed_total: a probe could not be run (dockerd counts errors
  /// running the check, not probes that report unhealthy or time out).
  void check_failed() { failed_.Increment(); }

  /// engine_daemon_health_check_start_duration_seconds: from the probe's start to its process
  /// running.
  void observe_start(double seconds) { start_duration_.Observe(seconds); }

 private:
  prometheus::Counter& checks_;
  prometheus::Counter& failed_;
  prometheus::Histogram& start_duration_;
};

} // namespace berth::metrics
