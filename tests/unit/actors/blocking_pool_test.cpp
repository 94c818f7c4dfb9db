// Tests actors/blocking_pool: jobs run off the scheduler, results come back, limits hold.
#include <atomic>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <gtest/gtest.h>

#include "actors/blocking_pool.hpp"
#include "actors/own_thread.hpp"
#include "base/error.hpp"

using namespace berth;
using namespace berth::actors;

namespace {

class blocking_pool_test : public ::testing::Test {
 protected:
  caf::actor_system_config cfg_;
  caf::actor_system sys_{cfg_};
};

} // namespace

TEST_F(blocking_pool_test, runs_a_job_and_returns_its_value_inside_the_actor) {
  auto pool = spawn_blocking_pool(sys_, {2, 8}, nullptr);
  caf::scoped_actor self{sys_};
  auto client = sys_.spawn(
      [pool](caf::event_based_actor* me, caf::actor report) {
        auto caller_thread = std::this_thread::get_id();
        run_blocking(
            me, pool,
            [caller_thread]() -> caf::expected<int> {
              return std::this_thread::get_id() == caller_thread ? 0 : 42;
            },
            [me, report](caf::expected<int> r) { me->send(report, r ? *r : -1); });
      },
      caf::actor{self});
  self->receive([](int v) { EXPECT_EQ(v, 42); },
                caf::after(std::chrono::seconds(5)) >> [] { ADD_FAILURE() << "no result"; });
  self->send_exit(pool, caf::exit_reason::user_shutdown);
}

TEST_F(blocking_pool_test, errors_and_exceptions_come_back_as_values) {
  auto pool = spawn_blocking_pool(sys_, {1, 8}, nullptr);
  caf::scoped_actor self{sys_};
  sys_.spawn(
      [pool](caf::event_based_actor* me, caf::actor report) {
        run_blocking(
            me, pool, []() -> caf::expected<int> { throw std::runtime_error("boom"); },
            [me, report](caf::expected<int> r) {
              me->send(report, r ? std::string("value") : error_message(r.error()));
            });
      },
      caf::actor{self});
  self->receive([](const std::string& msg) { EXPECT_EQ(msg, "boom"); },
                caf::after(std::chrono::seconds(5)) >> [] { ADD_FAILURE() << "no result"; });
  self->send_exit(pool, caf::exit_reason::user_shutdown);
}

TEST_F(blocking_pool_test, refuses_work_beyond_the_queue_limit) {
  // One worker held busy, queue of one: the third job is refused.
  auto pool = spawn_blocking_pool(sys_, {1, 1}, nullptr);
  auto release = std::make_shared<std::atomic<bool>>(false);
  caf::scoped_actor self{sys_};
  sys_.spawn(
      [pool, release](caf::event_based_actor* me, caf::actor report) {
        for (int i = 0; i < 3; ++i) {
          run_blocking(
              me, pool,
              [release]() -> caf::error {
                for (int spin = 0; spin < 5000 && !release->load(); ++spin)
                  std::this_thread::sleep_for(std::chrono::milliseconds(1));
                return {};
              },
              [me, report, i](caf::error err) {
                me->send(report, i, err ? error_message(err) : std::string("ok"));
              });
        }
      },
      caf::actor{self});
  int refused = 0;
  int done = 0;
  for (int n = 0; n < 3; ++n) {
    self->receive(
        [&](int i, const std::string& outcome) {
          if (outcome == "ok") {
            ++done;
          } else {
            ++refused;
            EXPECT_EQ(i, 2);
            EXPECT_NE(outcome.find("too many blocking operations"), std::string::npos);
            release->store(true);
          }
        },
        caf::after(std::chrono::seconds(10)) >> [] { ADD_FAILURE() << "timeout"; });
  }
  EXPECT_EQ(refused, 1);
  EXPECT_EQ(done, 2);
  self->send_exit(pool, caf::exit_reason::user_shutdown);
}

TEST_F(blocking_pool_test, own_thread_jobs_run_off_the_caller_and_answer_once) {
  caf::scoped_actor self{sys_};
  sys_.spawn(
      [](caf::event_based_actor* me, caf::actor report) {
        auto caller_thread = std::this_thread::get_id();
        for (int i = 0; i < 3; ++i)
          run_on_own_thread(
              me,
              [caller_thread, i]() -> caf::expected<int> {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                return std::this_thread::get_id() == caller_thread ? -1 : i;
              },
              [me, report](caf::expected<int> r) { me->send(report, r ? *r : -2); });
      },
      caf::actor{self});
  int sum = 0;
  for (int i = 0; i < 3; ++i)
    self->receive([&](int v) { sum += v; },
                  caf::after(std::chrono::seconds(5)) >> [] { ADD_FAILURE() << "no result"; });
  EXPECT_EQ(sum, 0 + 1 + 2);
}
