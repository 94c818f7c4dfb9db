// The daemon's metric registry and probes.
#include "metrics/daemon_probes.hpp"

#include "metrics/process_collector.hpp"

namespace berth::metrics {

daemon_probes::daemon_probes()
    : http_(std::make_unique<http_probe>(registry_)),
      engine_(std::make_shared<engine_probe>(registry_)),
      containers_(std::make_shared<container_probe>(registry_)),
      networks_(std::make_shared<network_probe>(registry_)),
      container_stats_(std::make_shared<container_stats_collector>()),
      healthchecks_(std::make_unique<healthcheck_probe>(registry_)),
      images_(std::make_shared<image_probe>(registry_)),
      builds_(std::make_unique<build_probe>(registry_, *images_)) {
  registry_.add(std::make_shared<process_collector>());
  registry_.add(container_stats_);
}

std::shared_ptr<actor_probe> daemon_probes::actor(const std::string& name) {
  std::lock_guard guard{actors_mutex_};
  auto& slot = actors_[name];
  if (!slot) slot = std::make_shared<actor_probe>(registry_, name);
  return slot;
}

} // namespace berth::metrics
