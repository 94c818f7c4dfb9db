// Image and registry transfer metrics.
#include "metrics/image_probe.hpp"

namespace berth::metrics {

image_probe::image_probe(registry& reg)
    : actions_(prometheus::BuildHistogram()
                   .Name("engine_daemon_image_actions_seconds")
                   .Help("The number of seconds it takes to process each image action")
                   .Register(reg.families())),
      pulls_(prometheus::BuildHistogram()
                 .Name("berth_registry_pull_duration_seconds")
                 .Help("The number of seconds a successful image pull takes, end to end")
                 .Register(reg.families())
                 .Add({}, prometheus::Histogram::BucketBoundaries{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
                                                                  60, 120, 300, 600})),
      downloaded_(prometheus::BuildCounter()
                      .Name("berth_registry_bytes_downloaded_total")
                      .Help("Blob bytes received from registries")
                      .Register(reg.families())
                      .Add({})),
      uploaded_(prometheus::BuildCounter()
                    .Name("berth_registry_bytes_uploaded_total")
                    .Help("Blob bytes sent to registries")
                    .Register(reg.families())
                    .Add({})),
      transfers_(prometheus::BuildGauge()
                     .Name("berth_registry_transfers")
                     .Help("Blob transfers running and waiting for a slot")
                     .Register(reg.families())) {}

void image_probe::observe_action(const std::string& action, double seconds) {
  actions_.Add({{"action", action}}, default_buckets()).Observe(seconds);
}

void image_probe::observe_pull(double seconds) {
  pulls_.Observe(seconds);
}

void image_probe::set_transfers(const std::string& direction, size_t running, size_t queued) {
  transfers_.Add({{"direction", direction}, {"state", "running"}})
      .Set(static_cast<double>(running));
  transfers_.Add({{"direction", direction}, {"state", "queued"}}).Set(static_cast<double>(queued));
}

} // namespace berth::metrics
