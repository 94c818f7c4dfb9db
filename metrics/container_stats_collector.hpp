// Per-container resource metrics from the stats sampler's latest samples:
// berth_container_cpu_seconds_total, berth_container_memory_usage_bytes,
// berth_container_network_{receive,transmit}_bytes_total and berth_container_pids, labelled by
// container ID and name. The sampler replaces the whole set after each sampling round, so the
// series of a container that stopped or was removed disappear with it. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

namespace berth::metrics {

/// One container's figures at its latest sample.
struct container_figures {
  std::string id;
  std::string name; ///< without the leading '/'
  double cpu_seconds = 0;
  uint64_t memory_usage_bytes = 0; ///< the cgroup's usage (page cache included, like cAdvisor)
  uint64_t network_receive_bytes = 0;
  uint64_t network_transmit_bytes = 0;
  uint64_t pids = 0;
};

class container_stats_collector : public prometheus::Collectable {
 public:
  /// Replaces every container's figures (the running containers sampled now).
  void replace(std::vector<container_figures> figures);

  [[nodiscard]] std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  mutable std::mutex mutex_;
  std::vector<container_figures> figures_;
};

} // namespace berth::metrics
