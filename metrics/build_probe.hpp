// Build metrics: engine_daemon_image_actions_seconds{action="build"} as dockerd names it (the
// image probe's family), and Berth's berth_build_steps_total and berth_build_cache_hits_total. Thread-safe
// (prometheus-cpp metrics).
#pragma once

#include <prometheus/counter.h>
#include <prometheus/histogram.h>

#include "metrics/image_probe.hpp"
#include "metrics/registry.hpp"

namespace berth::metrics {

class build_probe {
 public:
  build_probe(registry& reg, image_probe& images);

  /// A build step begins.
  void step() { steps_.Increment(); }

  /// A step was taken from the build cache.
  void cache_hit() { cache_hits_.Increment(); }

  /// A build succeeded after `seconds`.
  void observe(double seconds);

 private:
  prometheus::Counter& steps_;
  prometheus::Counter& cache_hits_;
  image_probe& images_;
};

} // namespace berth::metrics
