// Build metrics (see build_probe.hpp).
#include "metrics/build_probe.hpp"

namespace berth::metrics {

build_probe::build_probe(registry& reg)
    : steps_(prometheus::BuildCounter()
                 .Name("berth_build_steps_total")
                 .Help("The number of build steps run or taken from the cache")
                 .Register(reg.families())
                 .Add({})),
      cache_hits_(prometheus::BuildCounter()
                      .Name("berth_build_cache_hits_total")
                      .Help("The number of build steps taken from the build cache")
                      .Register(reg.families())
                      .Add({})),
      // dockerd's image action timer (go-metrics: Prometheus' default buckets).
      build_seconds_(prometheus::BuildHistogram()
                         .Name("engine_daemon_image_actions_seconds")
                         .Help("The number of seconds it takes to process each image action")
                         .Register(reg.families())
                         .Add({{"action", "build"}},
                              prometheus::Histogram::BucketBoundaries{0.005, 0.01, 0.025, 0.05, 0.1,
                                                                      0.25, 0.5, 1, 2.5, 5, 10})) {}

} // namespace berth::metrics
