// A daemon-wide bound on concurrent blob transfers (dockerd's max-concurrent-downloads and
// max-concurrent-uploads): tasks run in submission order on at most `limit` threads, started on
// demand and gone when the queue is empty. The limit can change at runtime (SIGHUP reload). An
// observer hears every change of the running and queued counts (the transfer gauges).
// Thread-safety: thread-safe. Tasks are blocking code and must watch their own stop tokens:
// the pool never abandons a task, it only waits (bounded) for them at shutdown.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace berth::distribution {

class transfer_pool {
 public:
  /// Told the running and queued counts each time one changes. It runs with the pool's lock
  /// held (so the counts arrive in order): it must be quick and must not call the pool.
  using observer = std::function<void(size_t running, size_t queued)>;

  explicit transfer_pool(size_t limit, observer on_change = {});
  ~transfer_pool();
  transfer_pool(const transfer_pool&) = delete;
  transfer_pool& operator=(const transfer_pool&) = delete;

  /// Queues `task`. When it has to wait for a free slot, `on_queued` runs first (before the
  /// task can start: callers report "Waiting" there) and submit returns true.
  bool submit(std::function<void()> task, const std::function<void()>& on_queued = {});

  /// Changes the number of concurrent tasks (at least 1); running tasks are not interrupted.
  void set_limit(size_t limit);

  [[nodiscard]] size_t limit() const;
  /// Tasks running now.
  [[nodiscard]] size_t running() const;
  /// Tasks waiting for a slot.
  [[nodiscard]] size_t queued() const;

  /// Waits until no task runs or waits, at most `timeout`. Returns true when idle.
  bool wait_idle(std::chrono::milliseconds timeout) const;

 private:
  struct state;
  std::shared_ptr<state> state_;
};

} // namespace berth::distribution
