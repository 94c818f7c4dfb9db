// Retry delays and interruptible waits.
#include "registry/retry_policy.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>

namespace berth::registry {

std::chrono::milliseconds retry_policy::delay(int attempt) const {
  auto d = initial_backoff;
  for (int i = 1; i < attempt && d < max_backoff; ++i)
    d *= 2;
  return std::min(d, max_backoff);
}

bool sleep_unless_stopped(std::chrono::milliseconds delay, std::stop_token stop) {
  std::mutex m;
  std::condition_variable_any cv;
  std::unique_lock lock{m};
  cv.wait_for(lock, stop, delay, [] { return false; });
  return !stop.stop_requested();
}

} // namespace berth::registry
