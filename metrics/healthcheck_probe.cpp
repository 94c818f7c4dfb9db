// Healthcheck metrics as dockerd names them.
#include "metrics/healthcheck_probe.hpp"

namespace berth::metrics {

healthcheck_probe::healthcheck_probe(registry& reg)
    : checks_(prometheus::BuildCounter()
                  .Name("engine_daemon_health_checks_total")
                  .Help("The total number of health checks")
                  .Register(reg.families())
                  .Add({})),
      failed_(prometheus::BuildCounter()
                  .Name("engine_daemon_health_checks_failed_total")
                  .Help("The total number of failed health checks")
                  .Register(reg.families())
                  .Add({})),
      // go-metrics timers use Prometheus' default buckets.
      start_duration_(prometheus::BuildHistogram()
                          .Name("engine_daemon_health_check_start_duration_seconds")
                          .Help("The number of seconds it takes to prepare to run health checks")
                          .Register(reg.families())
                          .Add({}, prometheus::Histogram::BucketBoundaries{
                                       0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10})) {}

} // namespace berth::metrics
