// dockerd's engine-level metrics.
#include "metrics/engine_probe.hpp"

namespace berth::metrics {

engine_probe::engine_probe(registry& reg)
    : info_(prometheus::BuildGauge()
                .Name("engine_daemon_engine_info")
                .Help("The information related to the engine and the OS it is running on")
                .Register(reg.families())),
      cpus_(prometheus::BuildGauge()
                .Name("engine_daemon_engine_cpus_cpus")
                .Help("The number of cpus that the host system of the engine has")
                .Register(reg.families())
                .Add({})),
      memory_(prometheus::BuildGauge()
                  .Name("engine_daemon_engine_memory_bytes")
                  .Help("The number of bytes of memory that the host system of the engine has")
                  .Register(reg.families())
                  .Add({})),
      events_(prometheus::BuildCounter()
                  .Name("engine_daemon_events_total")
                  .Help("The number of events logged")
                  .Register(reg.families())
                  .Add({})),
      subscribers_(std::make_shared<untyped_value>("engine_daemon_events_subscribers_total",
                                                   "The number of current subscribers to events")) {
  reg.add(subscribers_);
}

void engine_probe::set_info(const std::map<std::string, std::string>& labels, double cpus,
                            double memory_bytes) {
  info_.Add(labels).Set(1);
  cpus_.Set(cpus);
  memory_.Set(memory_bytes);
}

} // namespace berth::metrics
