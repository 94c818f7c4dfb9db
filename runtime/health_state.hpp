// Docker's healthchecks as pure logic: a container's probe (what to run, when, with dockerd's
// defaults), its health (State.Health: starting → healthy ⇄ unhealthy, the failing streak, the
// start period, the log of the last five probes), the probe output limit, and the stored form.
// No I/O; the container actor drives it (actors/container_health.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/container_config.hpp"

namespace berth::runtime {

/// State.Health.Status.
enum class health_status : uint8_t { starting, healthy, unhealthy };

[[nodiscard]] const char* to_string(health_status s);
[[nodiscard]] std::optional<health_status> parse_health_status(std::string_view text);

/// One probe run (HealthcheckResult).
struct health_result {
  int64_t start = 0; ///< unix ns
  int64_t end = 0;   ///< unix ns
  int exit_code = 0; ///< 0 healthy, else a failure (-1: the probe could not run or timed out)
  std::string output;
  bool operator==(const health_result&) const = default;
};

/// State.Health.
struct health_state {
  health_status status = health_status::starting;
  int failing_streak = 0;
  std::vector<health_result> log; ///< oldest first, at most `max_health_log`
  bool operator==(const health_state&) const = default;
};

inline constexpr size_t max_health_log = 5;      ///< dockerd's maxLogEntries
inline constexpr size_t max_probe_output = 4096; ///< dockerd's maxOutputLen
inline constexpr int64_t default_probe_interval = 30'000'000'000;
inline constexpr int64_t default_probe_timeout = 30'000'000'000;
inline constexpr int64_t default_start_interval = 5'000'000'000;
inline constexpr int default_probe_retries = 3;

/// A container's probe with dockerd's defaults in place of zero values.
struct health_probe {
  std::vector<std::string> command; ///< argv; for CMD-SHELL the shell comes first; may be empty
  int64_t interval = default_probe_interval;
  int64_t timeout = default_probe_timeout;
  int64_t start_period = 0;
  int64_t start_interval = default_start_interval;
  int retries = default_probe_retries;
};

/// The probe of a container's (merged) config: none without a Healthcheck, with an empty Test,
/// with NONE, or with a test type other than CMD and CMD-SHELL (dockerd ignores those). CMD-SHELL
/// runs through Config.Shell, else /bin/sh -c.
[[nodiscard]] std::optional<health_probe> probe_of(const container_config& config);

/// A start (also a restart, or a restore of a running container): the health begins again as
/// starting with no failing streak; the log of earlier runs is kept, as dockerd keeps it.
void begin_monitoring(std::optional<health_state>& health);

/// Probes stopped while the health was monitored (exit, pause): dockerd then reports unhealthy.
void end_monitoring(health_state& health);

/// Records a probe's result: the log keeps the last five; success makes the container healthy;
/// a failure adds to the streak (unless the container is still starting within its start period)
/// and makes it unhealthy at `retries`. `started_at` is the container's StartedAt (unix ns).
/// Returns true when the status changed.
bool record_result(health_state& health, health_result result, const health_probe& probe,
                   int64_t started_at);

/// How long until the next probe, counted from the end of the last one (or from the start):
/// the start interval while starting within the start period, else the interval.
[[nodiscard]] int64_t next_probe_delay(const health_probe& probe, health_status status,
                                       int64_t started_at, int64_t now);

/// A probe's output, stdout and stderr together: the first 4096 bytes, "..." when more came.
class probe_output {
 public:
  void append(std::string_view data);
  /// The bytes kept, "..." after them when more came. Not yet valid UTF-8: the result recorded
  /// from it is made so (valid_utf8), as for every probe's Output.
  [[nodiscard]] std::string text() const;

 private:
  std::string kept_;
  bool truncated_ = false;
};

/// The Output of a probe killed at its timeout: "Health check exceeded timeout (1s)", followed
/// by ": <output>" when it printed something.
[[nodiscard]] std::string timeout_output(int64_t timeout, const std::string& output);

/// `text` with every byte that is not part of valid UTF-8 replaced by U+FFFD.
[[nodiscard]] std::string valid_utf8(std::string_view text);

/// The stored form (inside the container record): times as unix ns.
[[nodiscard]] nlohmann::json health_record_json(const health_state& health);
[[nodiscard]] std::optional<health_state> health_from_record_json(const nlohmann::json& j);

} // namespace berth::runtime
