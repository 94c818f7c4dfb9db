// Tests runtime/container_top: ps output narrowed to a container's pids.
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "runtime/container_top.hpp"

using namespace berth;
using namespace berth::runtime;

namespace {

constexpr const char* ps_ef = "UID          PID    PPID  C STIME TTY          TIME CMD\n"
                              "root           1       0  0 10:00 ?        00:00:01 /sbin/init\n"
                              "root         412     400  0 10:01 ?        00:00:00 sleep 1000\n"
                              "root         413     412  0 10:01 ?        00:00:00 sh -c echo a b\n"
                              "root         500       1  0 10:02 ?        00:00:00 sleep 1000\n";

TEST(container_top, keeps_the_rows_of_the_containers_pids) {
  auto r = parse_ps_output(ps_ef, {412, 413});
  ASSERT_TRUE(r);
  std::vector<std::string> titles{"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"};
  EXPECT_EQ(r->titles, titles);
  ASSERT_EQ(r->processes.size(), 2u);
  EXPECT_EQ(r->processes[0][1], "412");
  EXPECT_EQ(r->processes[0][7], "sleep 1000");
  EXPECT_EQ(r->processes[1][7], "sh -c echo a b"); // the last column takes the rest
}

TEST(container_top, the_pid_column_is_found_by_title) {
  auto r = parse_ps_output("  PID COMMAND\n  500 sleep\n  412 top\n", {412});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->processes.size(), 1u);
  EXPECT_EQ(r->processes[0], (std::vector<std::string>{"412", "top"}));
}

TEST(container_top, output_without_a_pid_column_is_an_error) {
  auto r = parse_ps_output("USER COMMAND\nroot init\n", {1});
  ASSERT_FALSE(r);
  EXPECT_EQ(error_message(r.error()), "Couldn't find PID field in ps output");
}

TEST(container_top, a_pid_that_is_not_a_number_is_an_error) {
  auto r = parse_ps_output("PID CMD\nabc x\n", {1});
  ASSERT_FALSE(r);
  EXPECT_NE(error_message(r.error()).find("Unexpected pid 'abc'"), std::string::npos);
}

TEST(container_top, this_process_is_in_its_own_cgroup) {
  auto pids = cgroup_pids_of(static_cast<int>(::getpid()));
  ASSERT_TRUE(pids) << error_message(pids.error());
  EXPECT_NE(std::find(pids->begin(), pids->end(), static_cast<int>(::getpid())), pids->end());
}

} // namespace
