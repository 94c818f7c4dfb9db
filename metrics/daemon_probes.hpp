// The daemon's metric registry and the probes every component records into.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "metrics/actor_probe.hpp"
#include "metrics/build_probe.hpp"
#include "metrics/container_probe.hpp"
#include "metrics/container_stats_collector.hpp"
#include "metrics/engine_probe.hpp"
#include "metrics/healthcheck_probe.hpp"
#include "metrics/http_probe.hpp"
#include "metrics/image_probe.hpp"
#include "metrics/network_probe.hpp"
#include "metrics/registry.hpp"

namespace berth::metrics {

class daemon_probes {
 public:
  daemon_probes();

  [[nodiscard]] metrics::registry& registry() { return registry_; }
  [[nodiscard]] http_probe& http() { return *http_; }
  [[nodiscard]] const std::shared_ptr<engine_probe>& engine() { return engine_; }
  [[nodiscard]] const std::shared_ptr<container_probe>& containers() { return containers_; }
  [[nodiscard]] const std::shared_ptr<network_probe>& networks() { return networks_; }
  /// Per-container CPU, memory, network and pids series (fed by the stats sampler).
  [[nodiscard]] const std::shared_ptr<container_stats_collector>& container_stats() {
    return container_stats_;
  }
  [[nodiscard]] healthcheck_probe& healthchecks() { return *healthchecks_; }
  /// Classic builder steps, cache hits and build times.
  [[nodiscard]] build_probe& builds() { return *builds_; }
  [[nodiscard]] const std::shared_ptr<image_probe>& images() { return images_; }

  /// The probe of the actor named `name` (one per name for the process lifetime, so a restarted
  /// actor keeps its counters).
  [[nodiscard]] std::shared_ptr<actor_probe> actor(const std::string& name);

 private:
  metrics::registry registry_;
  std::unique_ptr<http_probe> http_;
  std::shared_ptr<engine_probe> engine_;
  std::shared_ptr<container_probe> containers_;
  std::shared_ptr<network_probe> networks_;
  std::shared_ptr<container_stats_collector> container_stats_;
  std::unique_ptr<healthcheck_probe> healthchecks_;
  std::shared_ptr<image_probe> images_;
  std::unique_ptr<build_probe> builds_;
  std::mutex actors_mutex_;
  std::map<std::string, std::shared_ptr<actor_probe>> actors_;
};

} // namespace berth::metrics
