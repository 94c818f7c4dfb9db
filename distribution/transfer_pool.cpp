// The transfer pool: a FIFO queue and on-demand worker threads up to a limit.
#include "distribution/transfer_pool.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "base/log.hpp"

namespace berth::distribution {

namespace {
constexpr log::logger lg{"distribution"};
} // namespace

struct transfer_pool::state {
  mutable std::mutex mutex;
  mutable std::condition_variable idle;
  std::deque<std::function<void()>> queue;
  size_t limit = 1;
  size_t running = 0;  ///< workers (started or starting)
  size_t starting = 0; ///< workers not yet looking at the queue
  observer on_change;

  // Tells the observer the counts (with the lock held).
  void publish() const {
    if (on_change) on_change(running, queue.size());
  }

  // Starts a worker (with the lock held).
  static void spawn(const std::shared_ptr<state>& self) {
    ++self->running;
    ++self->starting;
    std::thread([self] { work(self); }).detach();
  }

  // Runs queued tasks until the queue is empty or the limit shrank below the running count.
  static void work(const std::shared_ptr<state>& self) {
    std::unique_lock lock{self->mutex};
    --self->starting;
    while (!self->queue.empty() && self->running <= self->limit) {
      auto task = std::move(self->queue.front());
      self->queue.pop_front();
      self->publish();
      lock.unlock();
      try {
        task();
      } catch (const std::exception& e) {
        lg.error("transfer task failed", {{"error", e.what()}});
      }
      lock.lock();
    }
    --self->running;
    self->publish();
    self->idle.notify_all();
  }
};

transfer_pool::transfer_pool(size_t limit, observer on_change) : state_(std::make_shared<state>()) {
  state_->limit = std::max<size_t>(1, limit);
  state_->on_change = std::move(on_change);
}

// Workers share the state: running tasks finish on their own (they watch stop tokens), so
// nothing waits here (the pool may even go away on one of its own threads).
transfer_pool::~transfer_pool() = default;

bool transfer_pool::submit(std::function<void()> task, const std::function<void()>& on_queued) {
  std::lock_guard guard{state_->mutex};
  bool waits = state_->running >= state_->limit;
  if (waits && on_queued) on_queued();
  state_->queue.push_back(std::move(task));
  if (!waits) state::spawn(state_);
  state_->publish();
  return waits;
}

void transfer_pool::set_limit(size_t limit) {
  std::lock_guard guard{state_->mutex};
  state_->limit = std::max<size_t>(1, limit);
  // More workers for the waiting tasks no starting worker will take.
  while (state_->running < state_->limit && state_->queue.size() > state_->starting)
    state::spawn(state_);
  state_->publish();
}

size_t transfer_pool::limit() const {
  std::lock_guard guard{state_->mutex};
  return state_->limit;
}

size_t transfer_pool::running() const {
  std::lock_guard guard{state_->mutex};
  return state_->running;
}

size_t transfer_pool::queued() const {
  std::lock_guard guard{state_->mutex};
  return state_->queue.size();
}

bool transfer_pool::wait_idle(std::chrono::milliseconds timeout) const {
  std::unique_lock lock{state_->mutex};
  return state_->idle.wait_for(lock, timeout,
                               [&] { return state_->running == 0 && state_->queue.empty(); });
}

} // namespace berth::distribution
