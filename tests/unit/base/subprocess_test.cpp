// Tests base/subprocess: output, exit codes, signals, timeouts, descriptors.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/subprocess.hpp"

using namespace berth;
using namespace std::chrono_literals;

TEST(subprocess, captures_stdout_and_stderr_and_the_exit_code) {
  auto r = run_process({"sh", "-c", "echo out; echo err >&2; exit 3"}, 5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->output, "out\nerr\n");
}

TEST(subprocess, a_signal_is_128_plus_its_number) {
  auto r = run_process({"sh", "-c", "kill -9 $$"}, 5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exit_code, 137);
}

TEST(subprocess, a_missing_program_is_an_error) {
  auto r = run_process({"/nonexistent/berth-helper"}, 5s);
  ASSERT_FALSE(r);
  EXPECT_EQ(error_kind(r.error()), errc::not_found);
}

TEST(subprocess, a_program_that_runs_too_long_is_killed) {
  auto began = std::chrono::steady_clock::now();
  auto r = run_process({"sleep", "30"}, 200ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(error_kind(r.error()), errc::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - began, 5s);
}

TEST(subprocess, stdin_is_empty_and_no_other_descriptor_is_inherited) {
  int leaked = ::open("/dev/null", O_RDONLY); // without O_CLOEXEC on purpose
  ASSERT_GE(leaked, 3);
  auto fd = std::to_string(leaked);
  auto r = run_process(
      {"sh", "-c", "cat; [ -e /proc/$$/fd/" + fd + " ] && echo leaked || echo clean"}, 5s);
  ::close(leaked);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->output, "clean\n");
}

TEST(subprocess, output_is_capped) {
  auto r = run_process({"sh", "-c", "head -c 200000 /dev/zero"}, 5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->output.size(), 64U * 1024U);
}

TEST(subprocess, output_cap_is_reported) {
  auto r = run_process({"sh", "-c", "head -c 200000 /dev/zero"}, 5s);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->truncated);
  auto small = run_process({"echo", "hi"}, 5s);
  ASSERT_TRUE(small);
  EXPECT_FALSE(small->truncated);
}

TEST(subprocess, input_is_fed_to_stdin_and_closed) {
  auto r = run_process({"sh", "-c", "cat; echo; echo done"}, "line one\nline two", 5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->output, "line one\nline two\ndone\n");
}

TEST(subprocess, large_input_and_output_flow_both_ways_without_deadlock) {
  // Both directions exceed a pipe's buffer: feeding must interleave with draining.
  std::string input(4 << 20, 'x');
  auto r = run_process({"cat"}, input, 10s, 8 << 20);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_FALSE(r->truncated);
  EXPECT_EQ(r->output.size(), input.size());
}

TEST(subprocess, a_program_that_ignores_its_input_is_not_an_error) {
  // SIGPIPE keeps its default action in the test binary: a raised SIGPIPE would kill it.
  std::string input(1 << 20, 'x');
  auto r = run_process({"sh", "-c", "exec 0<&-; echo closed; exit 4"}, input, 5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exit_code, 4);
  EXPECT_EQ(r->output, "closed\n");
}

TEST(subprocess, empty_input_is_an_immediate_eof) {
  auto r = run_process({"wc", "-c"}, "", 5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->output, "0\n");
}

TEST(subprocess, a_fed_program_that_runs_too_long_is_killed) {
  auto began = std::chrono::steady_clock::now();
  auto r = run_process({"sleep", "30"}, "ignored", 200ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(error_kind(r.error()), errc::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - began, 5s);
}
