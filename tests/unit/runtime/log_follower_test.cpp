// Tests runtime/log_follower: a json-file log followed while another thread writes it, half lines
// and a rotation included, until the writer says it is done.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fcntl.h>
#include <mutex>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/sys.hpp"
#include "runtime/log_follower.hpp"

using namespace berth;
using namespace berth::runtime;

namespace {

std::string line(const std::string& text) {
  return R"({"log":")" + text + R"(\n","stream":"stdout","time":"2026-01-01T00:00:00Z"})" + "\n";
}

void append(const std::string& path, const std::string& data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  ::close(fd);
}

// What the follower received, readable from the test's thread.
struct received {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> texts;

  bool add(const log_entry& e) {
    std::lock_guard lock{mutex};
    texts.push_back(e.text);
    changed.notify_all();
    return true;
  }
  bool wait_for(size_t n) {
    std::unique_lock lock{mutex};
    return changed.wait_for(lock, std::chrono::seconds(10), [&] { return texts.size() >= n; });
  }
};

class log_follower_test : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-log-follower-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/c-json.log";
  }
  void TearDown() override { (void)sys::remove_all(dir_); }

  std::string dir_, path_;
};

TEST_F(log_follower_test, reads_what_is_written_until_the_writer_finishes) {
  log_follow_signal signal;
  received got;
  std::thread follower([&] {
    follow_log(
        path_, {}, signal, [&](const log_entry& e) { return got.add(e); }, [] { return true; });
  });
  append(path_, line("one")); // the file appears after the follower started
  ASSERT_TRUE(got.wait_for(1));
  auto two = line("two");
  append(path_, two.substr(0, 10)); // half a line waits for its end
  append(path_, two.substr(10));
  ASSERT_TRUE(got.wait_for(2));
  // Rotation: the live file is renamed and a new one starts.
  ASSERT_EQ(std::rename(path_.c_str(), (path_ + ".1").c_str()), 0);
  append(path_, line("three"));
  ASSERT_TRUE(got.wait_for(3));
  append(path_, line("last")); // written before the exit is reported: still read
  signal.finish();
  follower.join();
  EXPECT_EQ(got.texts, (std::vector<std::string>{"one\n", "two\n", "three\n", "last\n"}));
}

TEST_F(log_follower_test, stops_when_the_reader_is_gone) {
  log_follow_signal signal;
  bool gone = false;
  std::atomic<int> delivered{0};
  std::mutex mutex;
  std::thread follower([&] {
    follow_log(
        path_, {}, signal, [](const log_entry&) { return true; },
        [&] {
          ++delivered;
          std::lock_guard lock{mutex};
          return !gone;
        });
  });
  {
    std::lock_guard lock{mutex};
    gone = true;
  }
  signal.wake(); // never finished: the follower returns because the reader left
  follower.join();
  EXPECT_GE(delivered.load(), 1);
}

} // namespace
