// A single untyped metric. dockerd names some gauges with a `_total` suffix
// (engine_daemon_events_subscribers_total); typed as gauges, promtool would flag them, so we
// export them untyped under dockerd's name.
#pragma once

#include <atomic>
#include <string>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

namespace berth::metrics {

class untyped_value : public prometheus::Collectable {
 public:
  untyped_value(std::string name, std::string help);

  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double delta);
  [[nodiscard]] double value() const { return value_.load(std::memory_order_relaxed); }

  [[nodiscard]] std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::string name_;
  std::string help_;
  std::atomic<double> value_{0};
};

} // namespace berth::metrics
