// Per-container resource metrics from the stats sampler.
#include "metrics/container_stats_collector.hpp"

#include <functional>

namespace berth::metrics {

namespace {

using figure_of = std::function<double(const container_figures&)>;

prometheus::MetricFamily family(const std::vector<container_figures>& figures, std::string name,
                                std::string help, prometheus::MetricType type,
                                const figure_of& value) {
  prometheus::MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  for (const auto& c : figures) {
    prometheus::ClientMetric m;
    m.label = {{"id", c.id}, {"name", c.name}};
    if (type == prometheus::MetricType::Counter)
      m.counter.value = value(c);
    else
      m.gauge.value = value(c);
    f.metric.push_back(std::move(m));
  }
  return f;
}

} // namespace

void container_stats_collector::replace(std::vector<container_figures> figures) {
  std::lock_guard guard{mutex_};
  figures_ = std::move(figures);
}

std::vector<prometheus::MetricFamily> container_stats_collector::Collect() const {
  std::vector<container_figures> figures;
  {
    std::lock_guard guard{mutex_};
    figures = figures_;
  }
  if (figures.empty()) return {}; // no running container: no series, not empty families
  using type = prometheus::MetricType;
  return {
      family(figures, "berth_container_cpu_seconds_total",
             "CPU time consumed by the container's processes, in seconds", type::Counter,
             [](const container_figures& c) { return c.cpu_seconds; }),
      family(figures, "berth_container_memory_usage_bytes",
             "Memory used by the container (its cgroup's usage), in bytes", type::Gauge,
             [](const container_figures& c) { return static_cast<double>(c.memory_usage_bytes); }),
      family(
          figures, "berth_container_network_receive_bytes_total",
          "Bytes received on the container's network interfaces", type::Counter,
          [](const container_figures& c) { return static_cast<double>(c.network_receive_bytes); }),
      family(
          figures, "berth_container_network_transmit_bytes_total",
          "Bytes sent on the container's network interfaces", type::Counter,
          [](const container_figures& c) { return static_cast<double>(c.network_transmit_bytes); }),
      family(figures, "berth_container_pids", "Processes and threads in the container", type::Gauge,
             [](const container_figures& c) { return static_cast<double>(c.pids); }),
  };
}

} // namespace berth::metrics
