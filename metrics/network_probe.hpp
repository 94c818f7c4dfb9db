// Network metrics as dockerd names them: per-action latency.
#pragma once

#include <string>

#include <prometheus/family.h>
#include <prometheus/histogram.h>

#include "metrics/registry.hpp"

namespace berth::metrics {

class network_probe {
 public:
  explicit network_probe(registry& reg);

  /// Records engine_daemon_network_actions_seconds{action} ("create", "delete", "connect",
  /// "disconnect", "allocate", "release").
  void observe_action(const std::string& action, double seconds);

 private:
  prometheus::Family<prometheus::Histogram>& actions_;
};

} // namespace berth::metrics
