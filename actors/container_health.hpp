// Docker healthchecks as the container actor runs them (container_health.cpp): the monitor's
// state inside the actor and the one message its timers, the probe's output reader and the
// probe's exit watch send it. The health itself (State.Health) lives in the container record.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>

#include "runtime/health_state.hpp"
#include "runtime/shim_client.hpp"

namespace berth::runtime {
class exec_output_reader;
} // namespace berth::runtime

namespace berth::actors {

/// `(health, health_event)`: internal to a container actor.
struct health_event {
  enum class kind : uint8_t {
    tick,      ///< time for the next probe (`probe` = the monitor's generation)
    connected, ///< the output reader is connected (`ok`) or could not connect
    output,    ///< the probe's output is complete (`text`)
    exited,    ///< the probe's exec ended (`ok`: its exit is known, in `exit`)
    timeout    ///< the probe ran past its timeout
  };
  kind what = kind::tick;
  uint64_t probe = 0;      ///< the probe (or generation, for ticks) the event belongs to
  std::string exec_id;     ///< exited
  bool ok = false;         ///< connected, exited
  std::string text;        ///< output
  runtime::shim_exit exit; ///< exited
};

/// A container actor's health monitor (dockerd's monitor goroutine, as state).
struct health_monitor {
  /// Bumped whenever probing stops (and when the monitor starts): ticks of an older generation
  /// are stale. Ticks are only sent while active, so resuming needs no bump.
  uint64_t generation = 0;
  bool active = false; ///< probes are scheduled (running, not paused, with a probe)
  /// The container's healthcheck with dockerd's defaults (runtime::probe_of its config), taken
  /// when the monitor starts (the config does not change while the container runs); none without
  /// a usable one. Always set while a probe is in flight.
  std::optional<runtime::health_probe> healthcheck;

  /// The probe in flight.
  struct probe_run {
    uint64_t number = 0;
    std::string exec_id;
    int64_t start = 0;           ///< unix ns (the result's Start)
    int64_t start_monotonic = 0; ///< for the start-duration metric
    bool exec_prepared = false;  ///< the shim holds it (listening on its socket) until started
    bool exec_started = false;   ///< the shim answered exec-start: its exit is watched
    bool timed_out = false;
    bool exit_reported = false;
    std::optional<int> exit_code; ///< when the exit is known
    std::optional<std::string> output;
    std::shared_ptr<runtime::exec_output_reader> reader;
  };
  std::optional<probe_run> probe;
  uint64_t probes_started = 0;

  /// Exit files (exec-<id>.json) of finished probes, removed by the next probe's preparation
  /// (nothing else reads them; the shim's directory goes at the container's exit anyway).
  std::vector<std::string> finished_exec_ids;
};

} // namespace berth::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::health_event)
