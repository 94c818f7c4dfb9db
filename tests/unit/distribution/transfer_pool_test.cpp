// Tests distribution/transfer_pool: at most `limit` tasks at once, FIFO, the "Waiting" callback
// only for tasks that wait, a limit changed at runtime, the counts told to an observer.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "distribution/transfer_pool.hpp"

using namespace berth::distribution;
using namespace std::chrono_literals;

namespace {

// A latch the tasks wait on, opened by the test.
class gate {
 public:
  void open() {
    std::lock_guard g{m_};
    open_ = true;
    cv_.notify_all();
  }
  bool wait() {
    std::unique_lock g{m_};
    return cv_.wait_for(g, 10s, [&] { return open_; });
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Waits (at most 5 s) until `count` reaches `want`; the tasks count themselves as they start.
void wait_for_count(const std::atomic<int>& count, int want) {
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (count.load() < want && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
}

} // namespace

TEST(transfer_pool, runs_at_most_limit_tasks_and_reports_the_waiting_ones) {
  transfer_pool pool{2};
  gate g;
  std::atomic<int> running{0}, peak{0}, done{0}, waited{0};
  for (int i = 0; i < 6; ++i) {
    bool waits = pool.submit(
        [&] {
          int now = ++running;
          int seen = peak.load();
          while (now > seen && !peak.compare_exchange_weak(seen, now)) {
          }
          EXPECT_TRUE(g.wait());
          --running;
          ++done;
        },
        [&] { ++waited; });
    EXPECT_EQ(waits, i >= 2) << i;
  }
  EXPECT_EQ(waited.load(), 4);
  wait_for_count(running, 2);
  EXPECT_EQ(pool.running(), 2u);
  EXPECT_EQ(pool.queued(), 4u);
  g.open();
  EXPECT_TRUE(pool.wait_idle(10s));
  EXPECT_EQ(done.load(), 6);
  EXPECT_LE(peak.load(), 2);
}

TEST(transfer_pool, a_raised_limit_starts_waiting_tasks) {
  transfer_pool pool{1};
  gate g;
  std::atomic<int> started{0};
  for (int i = 0; i < 3; ++i)
    pool.submit([&] {
      ++started;
      EXPECT_TRUE(g.wait());
    });
  wait_for_count(started, 1);
  EXPECT_EQ(started.load(), 1);
  pool.set_limit(3);
  wait_for_count(started, 3);
  EXPECT_EQ(started.load(), 3);
  EXPECT_EQ(pool.limit(), 3u);
  g.open();
  EXPECT_TRUE(pool.wait_idle(10s));
}

TEST(transfer_pool, tells_its_observer_every_change_of_its_counts) {
  using counts = std::pair<size_t, size_t>; // (running, queued)
  std::mutex m;
  std::vector<counts> seen;
  auto last = [&] {
    std::lock_guard g{m};
    return seen.empty() ? counts{99, 99} : seen.back();
  };
  transfer_pool pool{1, [&](size_t running, size_t queued) {
                       std::lock_guard g{m};
                       seen.emplace_back(running, queued);
                     }};
  gate g;
  std::atomic<int> started{0};
  for (int i = 0; i < 3; ++i)
    pool.submit([&] {
      ++started;
      EXPECT_TRUE(g.wait());
    });
  wait_for_count(started, 1);
  EXPECT_EQ(last(), counts(1, 2));
  // A raised limit starts workers for the waiting tasks: published too.
  pool.set_limit(3);
  wait_for_count(started, 3);
  EXPECT_EQ(last(), counts(3, 0));
  g.open();
  EXPECT_TRUE(pool.wait_idle(10s));
  EXPECT_EQ(last(), counts(0, 0));
}

TEST(transfer_pool, tasks_run_in_submission_order) {
  transfer_pool pool{1};
  std::mutex m;
  std::vector<int> order;
  for (int i = 0; i < 20; ++i)
    pool.submit([&, i] {
      std::lock_guard g{m};
      order.push_back(i);
    });
  EXPECT_TRUE(pool.wait_idle(10s));
  ASSERT_EQ(order.size(), 20u);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(order[static_cast<size_t>(i)], i);
}
