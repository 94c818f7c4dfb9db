// The bounded pool that runs blocking work off the scheduler threads.
#include "actors/blocking_pool.hpp"

#include <deque>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/response_promise.hpp>
#include <caf/stateful_actor.hpp>
#include <prometheus/gauge.h>

#include "metrics/registry.hpp"

namespace berth::actors {

namespace {

struct pending_job {
  blocking_job job;
  caf::response_promise promise;
};

struct pool_state {
  blocking_pool_limits limits;
  size_t workers = 0;
  size_t busy = 0;
  std::vector<caf::actor> idle;
  std::deque<pending_job> queue;
  prometheus::Gauge* busy_gauge = nullptr;
  prometheus::Gauge* queue_gauge = nullptr;
  static inline const char* name = "blocking_pool";
};

using pool_pointer = caf::stateful_actor<pool_state>*;

caf::behavior worker_impl(caf::event_based_actor*) {
  return {[](run_atom, blocking_job& job) { (*job.fn)(); }};
}

void publish_gauges(pool_pointer self) {
  auto& st = self->state;
  if (st.busy_gauge) st.busy_gauge->Set(static_cast<double>(st.busy));
  if (st.queue_gauge) st.queue_gauge->Set(static_cast<double>(st.queue.size()));
}

void dispatch(pool_pointer self) {
  auto& st = self->state;
  while (!st.queue.empty()) {
    caf::actor worker;
    if (!st.idle.empty()) {
      worker = std::move(st.idle.back());
      st.idle.pop_back();
    } else if (st.workers < st.limits.max_workers) {
      worker = self->spawn<caf::detached + caf::linked>(worker_impl);
      ++st.workers;
    } else {
      break;
    }
    auto next = std::move(st.queue.front());
    st.queue.pop_front();
    ++st.busy;
    auto promise = next.promise;
    self->request(worker, caf::infinite, run_atom_v, std::move(next.job))
        .then(
            [self, worker, promise]() mutable {
              promise.deliver(caf::unit);
              --self->state.busy;
              self->state.idle.push_back(worker);
              dispatch(self);
            },
            [self, promise](caf::error& err) mutable {
              promise.deliver(std::move(err));
              --self->state.busy;
              --self->state.workers;
              dispatch(self);
            });
  }
  publish_gauges(self);
}

caf::behavior pool_impl(pool_pointer self, blocking_pool_limits limits, metrics::registry* reg) {
  self->state.limits = limits;
  if (reg) {
    self->state.busy_gauge = &prometheus::BuildGauge()
                                  .Name("berth_blocking_pool_busy_workers")
                                  .Help("Blocking-pool threads running a job")
                                  .Register(reg->families())
                                  .Add({});
    self->state.queue_gauge = &prometheus::BuildGauge()
                                   .Name("berth_blocking_pool_queued_jobs")
                                   .Help("Blocking jobs waiting for a thread")
                                   .Register(reg->families())
                                   .Add({});
  }
  return {
      [self](run_atom, blocking_job& job) -> caf::result<void> {
        auto& st = self->state;
        if (st.queue.size() >= st.limits.max_queue)
          return make_error(errc::unavailable,
                            "too many blocking operations in progress, try again");
        st.queue.push_back({std::move(job), self->make_response_promise()});
        auto promise = st.queue.back().promise;
        dispatch(self);
        return promise;
      },
  };
}

} // namespace

caf::actor spawn_blocking_pool(caf::actor_system& sys, blocking_pool_limits limits,
                               metrics::registry* reg) {
  return sys.spawn(pool_impl, limits, reg);
}

} // namespace berth::actors
