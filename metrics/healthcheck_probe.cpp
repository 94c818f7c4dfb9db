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
                          .Add({}, default_buckets())) {}

} // namespace berth::metrics
