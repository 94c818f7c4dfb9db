// The daemon's Prometheus registry and its text rendering (exposition format 0.0.4).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace berth::metrics {

/// Prometheus' default histogram buckets (client_golang's DefBuckets, 5 ms to 10 s), which
/// dockerd's go-metrics timers use.
[[nodiscard]] const prometheus::Histogram::BucketBoundaries& default_buckets();

/// Owns the prometheus-cpp registry plus extra collectables (untyped values, process stats).
class registry {
 public:
  registry();

  /// The registry where probes build their metric families.
  [[nodiscard]] prometheus::Registry& families() { return *families_; }

  /// Adds a collectable rendered after the families (kept alive by the registry).
  void add(std::shared_ptr<prometheus::Collectable> extra);

  /// Renders every metric in the text exposition format.
  [[nodiscard]] std::string render() const;

 private:
  std::shared_ptr<prometheus::Registry> families_;
  mutable std::mutex extras_mutex_;
  std::vector<std::shared_ptr<prometheus::Collectable>> extras_;
};

} // namespace berth::metrics
