// Tests runtime/system_cpu: the host's CPU time from /proc/stat, as dockerd reads it.
#include <gtest/gtest.h>

#include "runtime/system_cpu.hpp"

using namespace berth::runtime;

namespace {

TEST(system_cpu, sums_the_first_seven_fields_in_nanoseconds_and_counts_cpus) {
  auto s = parse_proc_stat("cpu  100 2 30 400 5 6 7 8 0 0\n"
                           "cpu0 50 1 15 200 2 3 3 4 0 0\n"
                           "cpu1 50 1 15 200 3 3 4 4 0 0\n"
                           "intr 12345 0 0\n"
                           "ctxt 99\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->usage_ns, (100ull + 2 + 30 + 400 + 5 + 6 + 7) * 10'000'000ull);
  EXPECT_EQ(s->online_cpus, 2u);
}

TEST(system_cpu, malformed_text_is_an_error) {
  EXPECT_FALSE(parse_proc_stat("cpu  1 2 3\n"));
  EXPECT_FALSE(parse_proc_stat("cpu  1 2 3 x 5 6 7\n"));
  EXPECT_FALSE(parse_proc_stat("intr 1\n"));
}

TEST(system_cpu, reads_the_hosts_proc_stat) {
  auto s = read_system_cpu();
  ASSERT_TRUE(s);
  EXPECT_GT(s->usage_ns, 0u);
  EXPECT_GE(s->online_cpus, 1u);
}

} // namespace
