// Docker's healthchecks as pure logic (see health_state.hpp).
#include "runtime/health_state.hpp"

#include <algorithm>

#include "base/go_duration.hpp"
#include "runtime/go_text.hpp"

namespace berth::runtime {

namespace {

using json = nlohmann::json;

int64_t or_default(int64_t configured, int64_t fallback) {
  return configured == 0 ? fallback : configured;
}

/// Length of the valid UTF-8 sequence at the start of `s` (Go's rules: no overlong forms, no
/// surrogates, nothing above U+10FFFF), 0 when there is none.
size_t utf8_sequence_length(std::string_view s) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  auto continuation = [&](size_t i) { return i < s.size() && (byte(i) & 0xC0) == 0x80; };
  unsigned char b0 = byte(0);
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) return continuation(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!continuation(1) || !continuation(2)) return 0;
    if (b0 == 0xE0 && byte(1) < 0xA0) return 0; // overlong
    if (b0 == 0xED && byte(1) > 0x9F) return 0; // surrogates
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
    if (b0 == 0xF0 && byte(1) < 0x90) return 0; // overlong
    if (b0 == 0xF4 && byte(1) > 0x8F) return 0; // above U+10FFFF
    return 4;
  }
  return 0;
}

json result_json(const health_result& r) {
  return json{{"start", r.start}, {"end", r.end}, {"exit_code", r.exit_code}, {"output", r.output}};
}

} // namespace

const char* to_string(health_status s) {
  switch (s) {
  case health_status::starting:
    return "starting";
  case health_status::healthy:
    return "healthy";
  case health_status::unhealthy:
    return "unhealthy";
  }
  return "unhealthy";
}

std::optional<health_status> parse_health_status(std::string_view text) {
  for (auto s : {health_status::starting, health_status::healthy, health_status::unhealthy})
    if (text == to_string(s)) return s;
  return std::nullopt;
}

std::optional<health_probe> probe_of(const container_config& config) {
  if (!config.healthcheck || config.healthcheck->test.empty()) return std::nullopt;
  const auto& h = *config.healthcheck;
  const auto& type = h.test.front();
  if (type != "CMD" && type != "CMD-SHELL") return std::nullopt; // NONE, or unknown
  health_probe p;
  if (type == "CMD-SHELL" && h.test.size() > 1)
    p.command = config.shell && !config.shell->empty() ? *config.shell
                                                       : std::vector<std::string>{"/bin/sh", "-c"};
  p.command.insert(p.command.end(), h.test.begin() + 1, h.test.end());
  p.interval = or_default(h.interval, default_probe_interval);
  p.timeout = or_default(h.timeout, default_probe_timeout);
  p.start_period = h.start_period;
  p.start_interval = or_default(h.start_interval, default_start_interval);
  p.retries = h.retries <= 0 ? default_probe_retries : h.retries;
  return p;
}

void begin_monitoring(std::optional<health_state>& health) {
  if (!health) health.emplace();
  health->status = health_status::starting;
  health->failing_streak = 0;
}

void end_monitoring(health_state& health) {
  health.status = health_status::unhealthy;
}

bool record_result(health_state& health, health_result result, const health_probe& probe,
                   int64_t started_at) {
  auto before = health.status;
  if (result.exit_code == 0) {
    health.failing_streak = 0;
    health.status = health_status::healthy;
  } else {
    // A container that never passed a probe is given its start period.
    bool in_start_period =
        health.status == health_status::starting && result.start - started_at < probe.start_period;
    if (!in_start_period && ++health.failing_streak >= probe.retries)
      health.status = health_status::unhealthy;
  }
  health.log.push_back(std::move(result));
  if (health.log.size() > max_health_log)
    health.log.erase(health.log.begin(),
                     health.log.begin() +
                         static_cast<ptrdiff_t>(health.log.size() - max_health_log));
  return health.status != before;
}

int64_t next_probe_delay(const health_probe& probe, health_status status, int64_t started_at,
                         int64_t now) {
  if (now - started_at >= probe.start_period) return probe.interval;
  return status == health_status::starting ? probe.start_interval : probe.interval;
}

void probe_output::append(std::string_view data) {
  size_t room = max_probe_output - kept_.size();
  kept_.append(data.substr(0, room));
  if (data.size() > room) truncated_ = true;
}

std::string probe_output::text() const {
  return truncated_ ? kept_ + "..." : kept_;
}

std::string timeout_output(int64_t timeout, const std::string& output) {
  auto message = "Health check exceeded timeout (" + format_go_duration(timeout) + ")";
  return output.empty() ? message : message + ": " + output;
}

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    size_t n = utf8_sequence_length(text);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      n = 1;
    } else {
      out.append(text.substr(0, n));
    }
    text.remove_prefix(n);
  }
  return out;
}

json health_record_json(const health_state& health) {
  auto log = json::array();
  for (const auto& r : health.log)
    log.push_back(result_json(r));
  return json{{"status", to_string(health.status)},
              {"failing_streak", health.failing_streak},
              {"log", std::move(log)}};
}

std::optional<health_state> health_from_record_json(const json& j) {
  if (!j.is_object()) return std::nullopt;
  auto status = parse_health_status(j.value("status", ""));
  if (!status) return std::nullopt;
  health_state h;
  h.status = *status;
  h.failing_streak = j.value("failing_streak", 0);
  auto log = j.value("log", json::array());
  if (!log.is_array()) return h;
  for (const auto& item : log) {
    if (!item.is_object()) continue;
    h.log.push_back({item.value("start", int64_t{0}), item.value("end", int64_t{0}),
                     item.value("exit_code", 0), item.value("output", "")});
  }
  if (h.log.size() > max_health_log)
    h.log.erase(h.log.begin(), h.log.end() - static_cast<ptrdiff_t>(max_health_log));
  return h;
}

} // namespace berth::runtime
