// Tests runtime/health_state: the probe with dockerd's defaults, the health status machine (start
// period, retries, the five-entry log), probe scheduling, the output limit and the stored form.
#include <gtest/gtest.h>

#include "runtime/health_state.hpp"

using namespace berth::runtime;

namespace {

constexpr int64_t ms = 1'000'000;
constexpr int64_t s = 1'000'000'000;

container_config with_healthcheck(std::vector<std::string> test) {
  container_config c;
  c.healthcheck = healthcheck_config{};
  c.healthcheck->test = std::move(test);
  return c;
}

health_result result(int exit_code, int64_t start = 0, std::string output = "") {
  return {start, start + ms, exit_code, std::move(output)};
}

} // namespace

TEST(health_state, probe_of_applies_dockerds_defaults) {
  auto p = probe_of(with_healthcheck({"CMD", "test", "-f", "/ok"}));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->command, (std::vector<std::string>{"test", "-f", "/ok"}));
  EXPECT_EQ(p->interval, 30 * s);
  EXPECT_EQ(p->timeout, 30 * s);
  EXPECT_EQ(p->start_period, 0);
  EXPECT_EQ(p->start_interval, 5 * s);
  EXPECT_EQ(p->retries, 3);

  auto c = with_healthcheck({"CMD-SHELL", "test -f /ok"});
  c.healthcheck->interval = 200 * ms;
  c.healthcheck->timeout = 1 * s;
  c.healthcheck->start_period = 2 * s;
  c.healthcheck->start_interval = 100 * ms;
  c.healthcheck->retries = 2;
  p = probe_of(c);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->command, (std::vector<std::string>{"/bin/sh", "-c", "test -f /ok"}));
  EXPECT_EQ(p->interval, 200 * ms);
  EXPECT_EQ(p->timeout, 1 * s);
  EXPECT_EQ(p->start_period, 2 * s);
  EXPECT_EQ(p->start_interval, 100 * ms);
  EXPECT_EQ(p->retries, 2);

  c.shell = {"/bin/ash", "-e", "-c"}; // SHELL of the image
  EXPECT_EQ(probe_of(c)->command,
            (std::vector<std::string>{"/bin/ash", "-e", "-c", "test -f /ok"}));
}

TEST(health_state, no_probe_without_a_usable_test) {
  EXPECT_FALSE(probe_of(container_config{}));
  EXPECT_FALSE(probe_of(with_healthcheck({})));
  EXPECT_FALSE(probe_of(with_healthcheck({"NONE"})));
  EXPECT_FALSE(probe_of(with_healthcheck({"HTTP", "/"}))); // dockerd ignores unknown types
  // A CMD without a command is a probe that fails to run (dockerd: "has no command").
  auto empty = probe_of(with_healthcheck({"CMD-SHELL"}));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->command.empty());
}

TEST(health_state, starting_then_unhealthy_after_retries_then_healthy) {
  auto probe = *probe_of(with_healthcheck({"CMD", "true"}));
  probe.retries = 2;
  std::optional<health_state> h;
  begin_monitoring(h);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, health_status::starting);
  EXPECT_FALSE(record_result(*h, result(1), probe, 0));
  EXPECT_EQ(h->status, health_status::starting);
  EXPECT_EQ(h->failing_streak, 1);
  EXPECT_TRUE(record_result(*h, result(1), probe, 0));
  EXPECT_EQ(h->status, health_status::unhealthy);
  EXPECT_EQ(h->failing_streak, 2);
  EXPECT_FALSE(record_result(*h, result(-1), probe, 0)); // a probe that could not run fails too
  EXPECT_EQ(h->failing_streak, 3);
  EXPECT_TRUE(record_result(*h, result(0), probe, 0));
  EXPECT_EQ(h->status, health_status::healthy);
  EXPECT_EQ(h->failing_streak, 0);
  // Healthy → unhealthy again only after `retries` failures in a row.
  EXPECT_FALSE(record_result(*h, result(1), probe, 0));
  EXPECT_EQ(h->status, health_status::healthy);
  EXPECT_TRUE(record_result(*h, result(2), probe, 0));
  EXPECT_EQ(h->status, health_status::unhealthy);
}

TEST(health_state, failures_in_the_start_period_do_not_count_while_starting) {
  auto probe = *probe_of(with_healthcheck({"CMD", "true"}));
  probe.retries = 1;
  probe.start_period = 10 * s;
  int64_t started = 100 * s;
  std::optional<health_state> h;
  begin_monitoring(h);
  EXPECT_FALSE(record_result(*h, result(1, started + 1 * s), probe, started));
  EXPECT_EQ(h->failing_streak, 0);
  EXPECT_EQ(h->status, health_status::starting);
  EXPECT_EQ(h->log.size(), 1U); // logged all the same
  // After the start period a failure counts.
  EXPECT_TRUE(record_result(*h, result(1, started + 10 * s), probe, started));
  EXPECT_EQ(h->status, health_status::unhealthy);
  // Once out of `starting`, the start period no longer shields failures.
  h->status = health_status::healthy;
  h->failing_streak = 0;
  EXPECT_TRUE(record_result(*h, result(1, started + 2 * s), probe, started));
  EXPECT_EQ(h->status, health_status::unhealthy);
}

TEST(health_state, the_log_keeps_the_last_five) {
  auto probe = *probe_of(with_healthcheck({"CMD", "true"}));
  health_state h;
  for (int i = 0; i < 8; ++i)
    record_result(h, result(i % 2, i * s, "run " + std::to_string(i)), probe, 0);
  ASSERT_EQ(h.log.size(), max_health_log);
  EXPECT_EQ(h.log.front().output, "run 3");
  EXPECT_EQ(h.log.back().output, "run 7");
  EXPECT_EQ(h.log.back().exit_code, 1);
}

TEST(health_state, a_new_run_starts_again_and_keeps_the_log) {
  auto probe = *probe_of(with_healthcheck({"CMD", "true"}));
  std::optional<health_state> h;
  begin_monitoring(h);
  probe.retries = 1;
  record_result(*h, result(1), probe, 0);
  EXPECT_EQ(h->status, health_status::unhealthy);
  begin_monitoring(h);
  EXPECT_EQ(h->status, health_status::starting);
  EXPECT_EQ(h->failing_streak, 0);
  EXPECT_EQ(h->log.size(), 1U);
  end_monitoring(*h);
  EXPECT_EQ(h->status, health_status::unhealthy);
}

TEST(health_state, next_probe_uses_the_start_interval_only_while_starting_in_the_start_period) {
  auto probe = *probe_of(with_healthcheck({"CMD", "true"}));
  probe.interval = 30 * s;
  probe.start_interval = 1 * s;
  probe.start_period = 10 * s;
  EXPECT_EQ(next_probe_delay(probe, health_status::starting, 0, 5 * s), 1 * s);
  EXPECT_EQ(next_probe_delay(probe, health_status::healthy, 0, 5 * s), 30 * s);
  EXPECT_EQ(next_probe_delay(probe, health_status::starting, 0, 10 * s), 30 * s);
  probe.start_period = 0;
  EXPECT_EQ(next_probe_delay(probe, health_status::starting, 0, 0), 30 * s);
}

TEST(health_state, output_is_limited_to_4096_bytes) {
  probe_output out;
  out.append("hello ");
  out.append("world");
  EXPECT_EQ(out.text(), "hello world");
  probe_output big;
  big.append(std::string(4000, 'a'));
  big.append(std::string(200, 'b'));
  big.append("more");
  auto text = big.text();
  EXPECT_EQ(text.size(), 4096U + 3);
  EXPECT_EQ(text.substr(4000, 96), std::string(96, 'b'));
  EXPECT_EQ(text.substr(4096), "...");
  probe_output exact;
  exact.append(std::string(4096, 'x'));
  EXPECT_EQ(exact.text(), std::string(4096, 'x'));
}

TEST(health_state, invalid_utf8_is_replaced_per_byte) {
  EXPECT_EQ(valid_utf8("plain"), "plain");
  EXPECT_EQ(valid_utf8("caf\xC3\xA9 \xE2\x9C\x93"), "caf\xC3\xA9 \xE2\x9C\x93");
  EXPECT_EQ(valid_utf8("a\xFF"
                       "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(valid_utf8("\xC3"), "\xEF\xBF\xBD");                 // cut in the middle of a character
  EXPECT_EQ(valid_utf8("\xC0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD"); // overlong
  EXPECT_EQ(valid_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); // surrogate
  EXPECT_EQ(valid_utf8("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");
}

TEST(health_state, timeout_output_is_dockerds) {
  EXPECT_EQ(timeout_output(1 * s, ""), "Health check exceeded timeout (1s)");
  EXPECT_EQ(timeout_output(300 * ms, "partial\n"),
            "Health check exceeded timeout (300ms): partial\n");
  EXPECT_EQ(timeout_output(90 * s, ""), "Health check exceeded timeout (1m30s)");
}

TEST(health_state, stored_form_round_trips) {
  health_state h;
  h.status = health_status::healthy;
  h.failing_streak = 2;
  h.log = {result(0, 5 * s, "ok\n"), result(-1, 6 * s, "Health check exceeded timeout (1s)")};
  auto back = health_from_record_json(health_record_json(h));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, h);
  EXPECT_FALSE(health_from_record_json(nlohmann::json(nullptr)));
  EXPECT_FALSE(health_from_record_json({{"status", "bogus"}}));
  EXPECT_EQ(parse_health_status("starting"), health_status::starting);
  EXPECT_FALSE(parse_health_status("none"));
}
