// Container metrics as dockerd names them.
#include "metrics/container_probe.hpp"

namespace berth::metrics {

namespace {

prometheus::Family<prometheus::Gauge>& states_family(registry& reg) {
  return prometheus::BuildGauge()
      .Name("engine_daemon_container_states_containers")
      .Help("The count of containers in various states")
      .Register(reg.families());
}

} // namespace

container_probe::container_probe(registry& reg)
    : running_(states_family(reg).Add({{"state", "running"}})),
      paused_(states_family(reg).Add({{"state", "paused"}})),
      stopped_(states_family(reg).Add({{"state", "stopped"}})),
      actions_(prometheus::BuildHistogram()
                   .Name("engine_daemon_container_actions_seconds")
                   .Help("The number of seconds it takes to process each container action")
                   .Register(reg.families())) {}

void container_probe::set_states(size_t running, size_t paused, size_t stopped) {
  running_.Set(static_cast<double>(running));
  paused_.Set(static_cast<double>(paused));
  stopped_.Set(static_cast<double>(stopped));
}

void container_probe::observe_action(const std::string& action, double seconds) {
  actions_.Add({{"action", action}}, default_buckets()).Observe(seconds);
}

} // namespace berth::metrics
