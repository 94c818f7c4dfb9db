// Network metrics as dockerd names them.
#include "metrics/network_probe.hpp"

namespace berth::metrics {

network_probe::network_probe(registry& reg)
    : actions_(prometheus::BuildHistogram()
                   .Name("engine_daemon_network_actions_seconds")
                   .Help("The number of seconds it takes to process each network action")
                   .Register(reg.families())) {}

void network_probe::observe_action(const std::string& action, double seconds) {
  static const prometheus::Histogram::BucketBoundaries buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                               0.5,   1,    2.5,   5,    10};
  actions_.Add({{"action", action}}, buckets).Observe(seconds);
}

} // namespace berth::metrics
