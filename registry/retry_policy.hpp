// How often and how patiently the registry client retries transient failures (connection
// errors, timeouts, 5xx, 408, 429): a bounded number of attempts with exponential backoff,
// interruptible by a stop token.
#pragma once

#include <chrono>
#include <functional>
#include <stop_token>

#include <caf/error.hpp>

#include "registry/registry_error.hpp"

namespace berth::registry {

struct retry_policy {
  /// Attempts in all (daemon.json `max-download-attempts`, 5 by default); 1 means no retry.
  int max_attempts = 5;
  /// Wait before the second attempt; doubled for each further one, capped at max_backoff.
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{16'000};

  /// The wait after failed attempt number `attempt` (1-based).
  [[nodiscard]] std::chrono::milliseconds delay(int attempt) const;
};

/// Tells that attempt `attempt` failed with `cause` and the next starts after `delay` (the
/// daemon's "Retrying in N seconds").
using retry_callback =
    std::function<void(int attempt, std::chrono::milliseconds delay, const caf::error& cause)>;

/// Waits `delay` unless `stop` is requested first. Returns false when stopped.
[[nodiscard]] bool sleep_unless_stopped(std::chrono::milliseconds delay, std::stop_token stop);

/// Runs `attempt(n)` (n = 1, 2, ...) until it succeeds, fails with a non-transient error, runs
/// out of attempts or `stop` is requested; waits the policy's backoff between attempts.
template <class F>
auto with_retries(const retry_policy& policy, F&& attempt, const retry_callback& on_retry,
                  std::stop_token stop) -> decltype(attempt(1)) {
  for (int n = 1;; ++n) {
    auto result = attempt(n);
    if (result || !is_transient(result.error()) || n >= policy.max_attempts ||
        stop.stop_requested())
      return result;
    auto wait = policy.delay(n);
    if (on_retry) on_retry(n, wait, result.error());
    if (!sleep_unless_stopped(wait, stop)) return result;
  }
}

} // namespace berth::registry
