// Network metrics as dockerd names them.
#include "metrics/network_probe.hpp"

namespace berth::metrics {

network_probe::network_probe(registry& reg)
    : actions_(prometheus::BuildHistogram()
                   .Name("engine_daemon_network_actions_seconds")
                   .Help("The number of seconds it takes to process each network action")
                   .Register(reg.families())) {}

void network_probe::observe_action(const std::string& action, double seconds) {
  actions_.Add({{"action", action}}, default_buckets()).Observe(seconds);
}

} // namespace berth::metrics
