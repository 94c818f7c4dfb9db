// Build metrics (see build_probe.hpp).
#include "metrics/build_probe.hpp"

namespace berth::metrics {

build_probe::build_probe(registry& reg, image_probe& images)
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
      images_(images) {}

void build_probe::observe(double seconds) {
  images_.observe_action("build", seconds);
}

} // namespace berth::metrics
