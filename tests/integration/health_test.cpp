// Integration tests of Docker healthchecks with the real docker CLI against a real berthd: the
// --health-* flags, starting → unhealthy → healthy with FailingStreak and the Log, the start
// period, timeouts, `docker ps` status and the health filter, health_status and probe exec
// events, the image's HEALTHCHECK and --no-healthcheck, stop/pause, the health kept across a
// daemon restart, the metrics, and invalid options refused like dockerd.
#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon_test.hpp"
#include "test_images.hpp"
#include "test_text.hpp"

using namespace berth::test;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

class health : public daemon_test {
 protected:
  /// State.Health of `name` (null when there is none).
  json health_of(const std::string& name) {
    auto c = inspect(name);
    if (c.is_null() || !c["State"].contains("Health")) return nullptr;
    return c["State"]["Health"];
  }

  /// Polls (bounded) until the container's health has `status`; returns the last health seen.
  json wait_for_status(const std::string& name, const std::string& status,
                       std::chrono::milliseconds timeout = 20s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    json h;
    while (std::chrono::steady_clock::now() < deadline) {
      h = health_of(name);
      if (!h.is_null() && h["Status"] == status) return h;
      std::this_thread::sleep_for(100ms); // probes run on their own schedule: nothing to wait on
    }
    ADD_FAILURE() << name << " did not become " << status << "; last health: " << h.dump();
    return h;
  }

  /// The STATUS column of `docker ps -a` for `name`.
  std::string status_column(const std::string& name) {
    for (const auto& line : lines_of(ok({"ps", "-a", "--format", "{{.Names}}\t{{.Status}}"})))
      if (line.rfind(name + "\t", 0) == 0) return line.substr(name.size() + 1);
    return "<not listed>";
  }

  std::string names_with(const std::string& filter) {
    return ok({"ps", "-a", "--filter", filter, "--format", "{{.Names}}"});
  }

  void load_health_image() {
    ok({"load", "-i", test_images_dir() + "/health.tar"}, {.timeout = 60s});
  }
};

} // namespace

TEST_F(health, starting_then_unhealthy_then_healthy_after_the_file_appears) {
  // The start period keeps the first failures from counting: the container stays `starting`.
  ok({"run", "-d", "--name", "hc", "--health-cmd", "test -f /ok", "--health-interval", "200ms",
      "--health-retries", "2", "--health-start-period", "3s", "--health-start-interval", "100ms",
      "busybox", "sleep", "1000"});
  auto c = inspect("hc");
  EXPECT_EQ(c["Config"]["Healthcheck"]["Test"], json({"CMD-SHELL", "test -f /ok"}));
  EXPECT_EQ(c["Config"]["Healthcheck"]["Interval"], 200000000);
  EXPECT_EQ(c["Config"]["Healthcheck"]["Retries"], 2);
  auto h = c["State"]["Health"];
  ASSERT_FALSE(h.is_null()) << c["State"].dump();
  EXPECT_EQ(h["Status"], "starting");
  EXPECT_EQ(h["FailingStreak"], 0);
  EXPECT_NE(status_column("hc").find("(health: starting)"), std::string::npos);
  EXPECT_EQ(names_with("health=starting"), "hc");

  h = wait_for_status("hc", "unhealthy");
  EXPECT_GE(h["FailingStreak"].get<int>(), 2);
  ASSERT_TRUE(h["Log"].is_array());
  EXPECT_GE(h["Log"].size(), 2U);
  EXPECT_LE(h["Log"].size(), 5U);
  for (const auto& entry : h["Log"]) {
    EXPECT_EQ(entry["ExitCode"], 1) << entry.dump();
    EXPECT_EQ(entry["Output"], "") << entry.dump();
    EXPECT_NE(entry["Start"], "0001-01-01T00:00:00Z");
    EXPECT_NE(entry["End"], "0001-01-01T00:00:00Z");
  }
  EXPECT_NE(status_column("hc").find("(unhealthy)"), std::string::npos) << status_column("hc");
  EXPECT_EQ(names_with("health=unhealthy"), "hc");

  ok({"exec", "hc", "touch", "/ok"});
  h = wait_for_status("hc", "healthy");
  EXPECT_EQ(h["FailingStreak"], 0);
  EXPECT_EQ(h["Log"].back()["ExitCode"], 0);
  EXPECT_NE(status_column("hc").find("(healthy)"), std::string::npos) << status_column("hc");
  EXPECT_EQ(names_with("health=healthy"), "hc");
  EXPECT_EQ(names_with("health=unhealthy"), "");
  ok({"run", "-d", "--name", "plain", "busybox", "sleep", "1000"});
  EXPECT_EQ(names_with("health=none"), "plain");
  EXPECT_TRUE(inspect("plain")["State"]["Health"].is_null());
  EXPECT_EQ(status_column("plain").find('('), std::string::npos) << status_column("plain");
  auto bad = docker({"ps", "--filter", "health=sick"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("invalid filter 'health=sick': invalid value for health (sick): must be "
                         "one of none, starting, healthy, unhealthy"),
            std::string::npos)
      << bad.err;
}

TEST_F(health, status_changes_and_probes_emit_dockers_events) {
  background_process events({"docker", "events", "--since", unix_now(), "--filter",
                             "type=container", "--format",
                             "{{.Action}}|{{index .Actor.Attributes \"name\"}}"},
                            daemon_.docker_env());
  ok({"run", "-d", "--name", "hc", "--health-cmd", "test -f /ok", "--health-interval", "200ms",
      "--health-retries", "1", "busybox", "sleep", "1000"});
  wait_for_status("hc", "unhealthy");
  ok({"exec", "hc", "touch", "/ok"});
  wait_for_status("hc", "healthy");
  std::vector<std::string> health_events;
  bool probe_created = false;
  bool probe_started = false;
  bool probe_died = false;
  for (int i = 0; i < 200 && health_events.size() < 2; ++i) {
    auto line = events.read_line(10s);
    if (!line) break;
    if (line->rfind("health_status", 0) == 0) health_events.push_back(*line);
    probe_created = probe_created || *line == "exec_create: /bin/sh -c test -f /ok|hc";
    probe_started = probe_started || *line == "exec_start: /bin/sh -c test -f /ok|hc";
    probe_died = probe_died || *line == "exec_die|hc";
  }
  ASSERT_EQ(health_events.size(), 2U);
  EXPECT_EQ(health_events[0], "health_status: unhealthy|hc");
  EXPECT_EQ(health_events[1], "health_status: healthy|hc");
  EXPECT_TRUE(probe_created);
  EXPECT_TRUE(probe_started);
  EXPECT_TRUE(probe_died);
  // The CLI's own filter: the action is matched by its prefix, as dockerd does.
  auto until = std::to_string(std::stoll(unix_now()) + 1);
  auto filtered = ok({"events", "--since", "0", "--until", until, "--filter", "event=health_status",
                      "--format", "{{.Action}}"});
  EXPECT_NE(filtered.find("health_status: healthy"), std::string::npos) << filtered;
  EXPECT_EQ(filtered.find("exec_"), std::string::npos) << filtered;

  auto metrics =
      run({"curl", "-s", "http://127.0.0.1:" + std::to_string(daemon_.metrics_port) + "/metrics"});
  EXPECT_NE(metrics.out.find("engine_daemon_health_checks_total "), std::string::npos);
  EXPECT_EQ(metrics.out.find("engine_daemon_health_checks_total 0"), std::string::npos);
  EXPECT_NE(metrics.out.find("engine_daemon_health_checks_failed_total 0"), std::string::npos);
  EXPECT_NE(metrics.out.find("engine_daemon_health_check_start_duration_seconds_count"),
            std::string::npos);
}

TEST_F(health, a_probe_past_its_timeout_is_killed_and_fails) {
  background_process deaths({"docker", "events", "--since", unix_now(), "--filter",
                             "container=slow", "--filter", "event=exec_die", "--format",
                             "{{index .Actor.Attributes \"exitCode\"}}"},
                            daemon_.docker_env());
  ok({"run", "-d", "--name", "slow", "--health-cmd", "echo started; sleep 5", "--health-timeout",
      "300ms", "--health-interval", "200ms", "--health-retries", "1", "busybox", "sleep", "1000"});
  auto h = wait_for_status("slow", "unhealthy");
  ASSERT_FALSE(h["Log"].empty());
  const auto& last = h["Log"].back();
  EXPECT_EQ(last["ExitCode"], -1);
  EXPECT_EQ(last["Output"], "Health check exceeded timeout (300ms): started\n");
  // The probe was killed at its timeout (SIGKILL: 137), not left to run its 5 s.
  EXPECT_EQ(trim(deaths.read_line(4s).value_or("<none>")), "137");
}

TEST_F(health, output_of_a_probe_is_kept_and_limited) {
  // stdout and stderr are separate pipes: the pause lets both small lines in before the flood.
  ok({"run", "-d", "--name", "loud", "--health-cmd",
      "echo out; echo err >&2; sleep 0.2; yes | head -c 5000; exit 3", "--health-interval", "200ms",
      "--health-retries", "1", "busybox", "sleep", "1000"});
  auto h = wait_for_status("loud", "unhealthy");
  ASSERT_FALSE(h["Log"].empty());
  const auto& last = h["Log"].back();
  EXPECT_EQ(last["ExitCode"], 3);
  auto output = last["Output"].get<std::string>();
  EXPECT_EQ(output.size(), 4096U + 3) << output.substr(0, 40);
  EXPECT_EQ(output.substr(output.size() - 3), "...");
  EXPECT_NE(output.find("out\n"), std::string::npos);
  EXPECT_NE(output.find("err\n"), std::string::npos);

  // Bytes that are not UTF-8 are stored as U+FFFD each, as dockerd's JSON encoding does.
  ok({"run", "-d", "--name", "binary", "--health-cmd", "printf 'a\\377b'; exit 1",
      "--health-interval", "200ms", "--health-retries", "1", "busybox", "sleep", "1000"});
  auto b = wait_for_status("binary", "unhealthy");
  ASSERT_FALSE(b["Log"].empty());
  EXPECT_EQ(b["Log"].back()["Output"], "a\xEF\xBF\xBD"
                                       "b");
}

TEST_F(health, the_images_healthcheck_is_inherited_and_can_be_disabled) {
  load_health_image();
  ok({"run", "-d", "--name", "inherits", "berth-test/health:1", "sleep", "1000"});
  auto c = inspect("inherits");
  EXPECT_EQ(c["Config"]["Healthcheck"]["Test"], json({"CMD-SHELL", "test -f /ok"}));
  EXPECT_EQ(c["Config"]["Healthcheck"]["Interval"], 200000000);
  wait_for_status("inherits", "unhealthy");
  ok({"exec", "inherits", "touch", "/ok"});
  wait_for_status("inherits", "healthy");

  // --health-* flags override fields; the image's test stays.
  ok({"run", "-d", "--name", "overrides", "--health-retries", "7", "berth-test/health:1", "sleep",
      "1000"});
  auto o = inspect("overrides");
  EXPECT_EQ(o["Config"]["Healthcheck"]["Test"], json({"CMD-SHELL", "test -f /ok"}));
  EXPECT_EQ(o["Config"]["Healthcheck"]["Retries"], 7);
  EXPECT_EQ(o["Config"]["Healthcheck"]["Interval"], 200000000);

  ok({"run", "-d", "--name", "disabled", "--no-healthcheck", "berth-test/health:1", "sleep",
      "1000"});
  auto d = inspect("disabled");
  EXPECT_EQ(d["Config"]["Healthcheck"]["Test"], json({"NONE"}));
  EXPECT_TRUE(d["State"]["Health"].is_null()) << d["State"].dump();
  EXPECT_EQ(status_column("disabled").find('('), std::string::npos);
  EXPECT_EQ(names_with("health=none"), "disabled");
}

TEST_F(health, probes_stop_with_the_container_and_while_paused) {
  ok({"run", "-d", "--name", "hc", "--health-cmd", "test -f /ok", "--health-interval", "200ms",
      "busybox", "sh", "-c", "touch /ok; trap 'exit 0' TERM; while :; do sleep 0.1; done"});
  wait_for_status("hc", "healthy");

  ok({"pause", "hc"});
  auto paused = health_of("hc");
  EXPECT_EQ(paused["Status"], "unhealthy"); // dockerd: the stopped monitor reports unhealthy
  auto ps = status_column("hc");
  EXPECT_NE(ps.find("(Paused)"), std::string::npos) << ps;
  EXPECT_EQ(ps.find("healthy"), std::string::npos) << ps;
  auto logged = health_of("hc")["Log"].back()["End"];
  ok({"unpause", "hc"});
  wait_for_status("hc", "healthy");
  EXPECT_NE(health_of("hc")["Log"].back()["End"], logged);

  ok({"stop", "-t", "5", "hc"});
  auto stopped = health_of("hc");
  EXPECT_EQ(stopped["Status"], "unhealthy");
  auto count = stopped["Log"].size();
  auto last_end = stopped["Log"].back()["End"];
  EXPECT_EQ(names_with("health=unhealthy"), "hc");
  // No probe runs while it is stopped: several intervals pass without a new entry (a check that
  // nothing happens, so a plain wait).
  std::this_thread::sleep_for(1s);
  auto later = health_of("hc");
  EXPECT_EQ(later["Log"].size(), count);
  EXPECT_EQ(later["Log"].back()["End"], last_end);

  ok({"start", "hc"});
  auto restarted = health_of("hc");
  EXPECT_TRUE(restarted["Status"] == "starting" || restarted["Status"] == "healthy")
      << restarted.dump();
  wait_for_status("hc", "healthy");
}

TEST_F(health, probes_dropped_by_pauses_leave_no_exec_in_the_shim) {
  // Probes back to back: a pause drops the one in flight, at times after the shim prepared its
  // exec and before it started it. The shim must not keep such an exec (listening on its
  // exec-<id>.sock, holding one of its exec places) until the container exits.
  ok({"run", "-d", "--name", "hc", "--health-cmd", "true", "--health-interval", "1ms",
      "--health-timeout", "1s", "busybox", "sleep", "1000"});
  auto shim_dir =
      daemon_.exec_root + "/containers/" + inspect("hc")["Id"].get<std::string>() + "/shim";
  for (int i = 0; i < 20; ++i) {
    ok({"pause", "hc"});
    ok({"unpause", "hc"});
  }
  // The probes in flight now end within seconds; a socket of a dropped probe stays.
  auto exec_sockets = [&] {
    std::set<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(shim_dir)) {
      auto name = entry.path().filename().string();
      if (name.rfind("exec-", 0) == 0 && name.ends_with(".sock") &&
          name.find("-console") == std::string::npos)
        names.insert(name);
    }
    return names;
  };
  auto left = exec_sockets();
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!left.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms); // the shim's directory has no event to wait on
    auto now = exec_sockets();
    std::erase_if(left, [&](const std::string& name) { return !now.contains(name); });
  }
  EXPECT_TRUE(left.empty()) << "left in the shim: " << *left.begin();
}

TEST_F(health, the_health_survives_a_daemon_restart) {
  ok({"run", "-d", "--name", "hc", "--health-cmd", "test -f /ok", "--health-interval", "200ms",
      "busybox", "sh", "-c", "touch /ok; sleep 1000"});
  auto before = wait_for_status("hc", "healthy");
  ASSERT_FALSE(before["Log"].empty());
  daemon_.kill9();
  ASSERT_TRUE(daemon_.start()) << daemon_.start_error();
  auto after = health_of("hc");
  ASSERT_FALSE(after.is_null());
  ASSERT_FALSE(after["Log"].empty());
  // Stored at the change of status: the log holds the probe that made it healthy.
  bool known = false;
  for (const auto& entry : before["Log"])
    known = known || entry["Start"] == after["Log"][0]["Start"];
  EXPECT_TRUE(known) << before.dump() << "\n" << after.dump();
  wait_for_status("hc", "healthy");
}

TEST_F(health, invalid_options_are_refused_like_dockerd) {
  auto tiny = docker({"run", "--name", "tiny", "--health-cmd", "true", "--health-interval", "100us",
                      "busybox", "true"});
  EXPECT_EQ(tiny.exit_code, 125);
  EXPECT_NE(tiny.err.find("Interval in Healthcheck cannot be less than 1ms"), std::string::npos)
      << tiny.err;
  auto timeout = docker({"create", "--health-cmd", "true", "--health-timeout", "10us", "busybox"});
  EXPECT_NE(timeout.err.find("Timeout in Healthcheck cannot be less than 1ms"), std::string::npos)
      << timeout.err;
  // The CLI refuses negative durations itself; the API answers them with dockerd's 400.
  auto negative = daemon_.curl(
      {"-s", "-w", "\n%{http_code}", "-X", "POST", "-H", "Content-Type: application/json", "-d",
       R"({"Image":"busybox","Cmd":["true"],"Healthcheck":{"Test":["CMD","true"],"Interval":-1000000000}})",
       "http://d/containers/create?name=negative"});
  EXPECT_NE(negative.out.find("Interval in Healthcheck cannot be less than 1ms"), std::string::npos)
      << negative.out;
  EXPECT_EQ(negative.out.substr(negative.out.rfind('\n') + 1), "400");
  auto retries =
      daemon_.curl({"-s", "-X", "POST", "-H", "Content-Type: application/json", "-d",
                    R"({"Image":"busybox","Healthcheck":{"Test":["CMD","true"],"Retries":-1}})",
                    "http://d/containers/create"});
  EXPECT_NE(retries.out.find("Retries in Healthcheck cannot be negative"), std::string::npos)
      << retries.out;
  // Nothing was made.
  EXPECT_EQ(ok({"ps", "-aq"}), "");
}
