// A single untyped metric.
#include "metrics/untyped_value.hpp"

namespace berth::metrics {

untyped_value::untyped_value(std::string name, std::string help)
    : name_(std::move(name)), help_(std::move(help)) {}

void untyped_value::add(double delta) {
  double current = value_.load(std::memory_order_relaxed);
  while (!value_.compare_exchange_weak(current, current + delta, std::memory_order_relaxed)) {
  }
}

std::vector<prometheus::MetricFamily> untyped_value::Collect() const {
  prometheus::MetricFamily family;
  family.name = name_;
  family.help = help_;
  family.type = prometheus::MetricType::Untyped;
  prometheus::ClientMetric metric;
  metric.untyped.value = value();
  family.metric.push_back(std::move(metric));
  return {std::move(family)};
}

} // namespace berth::metrics
