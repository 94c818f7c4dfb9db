// Per-actor load metrics.
#include "metrics/actor_probe.hpp"

namespace berth::metrics {

namespace {

prometheus::Histogram::BucketBoundaries handling_buckets() {
  return {0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1};
}

} // namespace

actor_probe::actor_probe(registry& reg, const std::string& actor_name)
    : mailbox_depth_(prometheus::BuildGauge()
                         .Name("berth_actor_mailbox_depth")
                         .Help("Messages waiting in the actor's mailbox when it last took one")
                         .Register(reg.families())
                         .Add({{"actor", actor_name}})),
      handling_(prometheus::BuildHistogram()
                    .Name("berth_actor_message_duration_seconds")
                    .Help("Time an actor spent handling one message")
                    .Register(reg.families())
                    .Add({{"actor", actor_name}}, handling_buckets())),
      messages_(prometheus::BuildCounter()
                    .Name("berth_actor_messages_total")
                    .Help("Messages handled by the actor")
                    .Register(reg.families())
                    .Add({{"actor", actor_name}})),
      restarts_(prometheus::BuildCounter()
                    .Name("berth_actor_restarts_total")
                    .Help("Times the actor was restarted by its supervisor")
                    .Register(reg.families())
                    .Add({{"actor", actor_name}})) {}

void actor_probe::observe(size_t mailbox_depth, double seconds) {
  mailbox_depth_.Set(static_cast<double>(mailbox_depth));
  handling_.Observe(seconds);
  messages_.Increment();
}

} // namespace berth::metrics
