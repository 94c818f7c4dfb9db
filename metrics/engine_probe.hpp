// dockerd's engine-level metrics: engine_daemon_engine_info, CPUs, memory, events and subscribers.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include "metrics/registry.hpp"
#include "metrics/untyped_value.hpp"

namespace berth::metrics {

class engine_probe {
 public:
  explicit engine_probe(registry& reg);

  /// Publishes engine_daemon_engine_info with dockerd's labels (architecture, commit, daemon_id,
  /// graphdriver, kernel, os, os_type, os_version, version), and the CPU and memory gauges.
  void set_info(const std::map<std::string, std::string>& labels, double cpus, double memory_bytes);

  /// Counts one emitted event (engine_daemon_events_total).
  void event_emitted() { events_.Increment(); }

  /// Sets the number of /events subscribers (engine_daemon_events_subscribers_total).
  void set_subscribers(size_t n) { subscribers_->set(static_cast<double>(n)); }

 private:
  prometheus::Family<prometheus::Gauge>& info_;
  prometheus::Gauge& cpus_;
  prometheus::Gauge& memory_;
  prometheus::Counter& events_;
  std::shared_ptr<untyped_value> subscribers_;
};

} // namespace berth::metrics
