// Tests runtime/host_config_update: dockerd's update rules and the runtime's resources.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "runtime/host_config_update.hpp"

using namespace berth;
using namespace berth::runtime;
using json = nlohmann::json;

namespace {

host_limits limits() {
  host_limits l;
  l.ncpu = 2;
  l.cpus = "0-1";
  return l;
}

TEST(host_config_update, sets_only_what_the_body_gives) {
  host_config h;
  h.cpu_shares = 512;
  auto r = apply_update(h, {}, json{{"Memory", 64 << 20}, {"MemorySwap", 128 << 20}}, limits());
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(r->memory, 64 << 20);
  EXPECT_EQ(r->memory_swap, 128 << 20);
  EXPECT_EQ(r->cpu_shares, 512);
}

TEST(host_config_update, too_little_memory_is_refused_with_dockerds_message) {
  auto r = apply_update({}, {}, json{{"Memory", 1024}}, limits());
  ASSERT_FALSE(r);
  EXPECT_EQ(error_kind(r.error()), errc::invalid_argument);
  EXPECT_EQ(error_message(r.error()), "Minimum memory limit allowed is 6MB");
}

TEST(host_config_update, memory_above_the_swap_limit_needs_the_swap_limit) {
  host_config h;
  h.memory = 32 << 20;
  h.memory_swap = 64 << 20;
  auto r = apply_update(h, {}, json{{"Memory", 100 << 20}}, limits());
  ASSERT_FALSE(r);
  EXPECT_NE(error_message(r.error()).find("memoryswap"), std::string::npos);
}

TEST(host_config_update, restart_policy_and_pids_limit) {
  host_config h;
  h.pids_limit = 10;
  auto r = apply_update(
      h, {},
      json{{"RestartPolicy", {{"Name", "on-failure"}, {"MaximumRetryCount", 3}}}, {"PidsLimit", 0}},
      limits());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->restart.name, "on-failure");
  EXPECT_EQ(r->restart.maximum_retry_count, 3);
  EXPECT_FALSE(r->pids_limit.has_value());
  h.auto_remove = true;
  auto refused = apply_update(h, {}, json{{"RestartPolicy", {{"Name", "always"}}}}, limits());
  ASSERT_FALSE(refused);
}

TEST(host_config_update, resources_for_the_runtime) {
  host_config h;
  h.memory = 64 << 20;
  h.memory_swap = 128 << 20;
  h.cpu_shares = 256;
  auto r = update_resources(h, true);
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["memory"]["limit"], 64 << 20);
  EXPECT_EQ((*r)["memory"]["swap"], 128 << 20);
  EXPECT_EQ((*r)["cpu"]["shares"], 256);
  EXPECT_EQ((*r)["pids"]["limit"], -1);
  EXPECT_FALSE(r->contains("devices"));
}

} // namespace
