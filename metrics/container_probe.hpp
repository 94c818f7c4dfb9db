// Container metrics as dockerd names them: states gauge and per-action latency.
#pragma once

#include <string>

#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include "metrics/registry.hpp"

namespace berth::metrics {

class container_probe {
 public:
  explicit container_probe(registry& reg);

  /// Sets engine_daemon_container_states_containers{state="running"|"paused"|"stopped"}.
  void set_states(size_t running, size_t paused, size_t stopped);

  /// Records engine_daemon_container_actions_seconds{action}.
  void observe_action(const std::string& action, double seconds);

 private:
  prometheus::Gauge& running_;
  prometheus::Gauge& paused_;
  prometheus::Gauge& stopped_;
  prometheus::Family<prometheus::Histogram>& actions_;
};

} // namespace berth::metrics
