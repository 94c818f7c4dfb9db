// The standard process_* metrics (RSS, CPU seconds, open fds, start time, threads) from /proc/self.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

namespace berth::metrics {

class process_collector : public prometheus::Collectable {
 public:
  process_collector();
  [[nodiscard]] std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  double start_time_seconds_;
};

/// Resident set size of this process in bytes (0 if unknown).
[[nodiscard]] long resident_bytes();

} // namespace berth::metrics
