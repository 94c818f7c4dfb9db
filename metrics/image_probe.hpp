// Image metrics: dockerd's per-action latency (engine_daemon_image_actions_seconds) and Berth's
// registry transfer counters and pull duration.
// Thread-safety: thread-safe (prometheus-cpp metrics); transfer threads increment the counters.
#pragma once

#include <cstdint>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include "metrics/registry.hpp"

namespace berth::metrics {

class image_probe {
 public:
  explicit image_probe(registry& reg);

  /// Records engine_daemon_image_actions_seconds{action} ("pull", "push").
  void observe_action(const std::string& action, double seconds);

  /// Records berth_registry_pull_duration_seconds (a whole pull, minutes-scale buckets) for
  /// pulls that succeeded.
  void observe_pull(double seconds);

  /// Counts blob bytes received from registries (berth_registry_bytes_downloaded_total).
  void bytes_downloaded(uint64_t n) { downloaded_.Increment(static_cast<double>(n)); }

  /// Counts blob bytes sent to registries (berth_registry_bytes_uploaded_total).
  void bytes_uploaded(uint64_t n) { uploaded_.Increment(static_cast<double>(n)); }

  /// Sets berth_registry_transfers{direction="download"|"upload",state="running"|"queued"}.
  void set_transfers(const std::string& direction, size_t running, size_t queued);

 private:
  prometheus::Family<prometheus::Histogram>& actions_;
  prometheus::Histogram& pulls_;
  prometheus::Counter& downloaded_;
  prometheus::Counter& uploaded_;
  prometheus::Family<prometheus::Gauge>& transfers_;
};

} // namespace berth::metrics
