// Integration tests of containers with the real docker CLI against a real berthd running real
// containers under the OCI runtime: run/create/start/stop/kill/restart/rename/wait/rm/prune, logs,
// attach and TTYs, resource limits and security settings checked inside the container, restart
// policies, live restore across a `kill -9` of the daemon, and bad input.
#include <csignal>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon_test.hpp"
#include "terminal.hpp"
#include "test_images.hpp"
#include "test_text.hpp"

using namespace berth::test;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::string ns_of(int pid, const std::string& kind) {
  char target[256] = {};
  auto path = "/proc/" + std::to_string(pid) + "/ns/" + kind;
  auto n = ::readlink(path.c_str(), target, sizeof target - 1);
  return n > 0 ? std::string(target, static_cast<size_t>(n)) : path;
}

// A container that exits 0 on SIGTERM (a shell as pid 1 ignores signals it does not trap).
const std::string polite_loop = "trap 'exit 0' TERM; while :; do sleep 0.1; done";

class containers : public daemon_test {
 protected:
  explicit containers(daemon_options opts = {}) : daemon_test(std::move(opts)) {}

  // Follows a container's logs until `count` lines contain `needle`; false after `timeout`.
  bool wait_for_log(const std::string& name, const std::string& needle,
                    std::chrono::milliseconds timeout = 15s, int count = 1) {
    std::vector<std::string> argv{"docker", "logs", "-f", name};
    background_process follow(argv, daemon_.docker_env());
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto line = follow.read_line(std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now()));
      if (!line) return false;
      if (line->find(needle) != std::string::npos && --count == 0) return true;
    }
    return false;
  }

  // POST /containers/{id}/wait through curl, returned once the daemon has accepted the wait (its
  // response head arrived: dockerd and Berth send it before the condition holds).
  std::unique_ptr<background_process> start_wait(const std::string& id,
                                                 const std::string& condition) {
    auto waiter = std::make_unique<background_process>(std::vector<std::string>{
        "curl", "-s", "-D", "-", "-N", "--max-time", "30", "--unix-socket", daemon_.socket_path,
        "-X", "POST", "http://d/containers/" + id + "/wait?condition=" + condition});
    auto status = waiter->read_line(10s).value_or("<none>");
    EXPECT_EQ(status.rfind("HTTP/1.1 200", 0), 0U) << status;
    return waiter;
  }

  // The JSON body of a wait started with start_wait.
  static json wait_body(background_process& waiter) {
    for (int i = 0; i < 30; ++i) {
      auto line = waiter.read_line(20s);
      if (!line) break;
      if (!line->empty() && line->front() == '{') return json::parse(*line, nullptr, false);
    }
    return json();
  }

  // The container's cgroup directory for `controller` on a cgroup v1 host.
  std::string cgroup_dir(const std::string& controller, const std::string& id) const {
    return "/sys/fs/cgroup/" + controller + daemon_.cgroup_parent + "/" + id;
  }

  std::set<std::string> all_ids() {
    auto ids = lines_of(ok({"ps", "-aq", "--no-trunc"}));
    return {ids.begin(), ids.end()};
  }
};

} // namespace

// ---- run, exit codes, streams -----------------------------------------------------------------

TEST_F(containers, run_rm_prints_and_leaves_no_container) {
  auto r = docker({"run", "--rm", "busybox", "echo", "hello"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hello\n");
  EXPECT_TRUE(all_ids().empty());
}

TEST_F(containers, run_passes_both_streams_and_the_exit_code) {
  auto r =
      docker({"run", "--name", "three", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  auto c = inspect("three");
  EXPECT_EQ(c["State"]["Status"], "exited");
  EXPECT_EQ(c["State"]["ExitCode"], 3);
  EXPECT_FALSE(c["State"]["Running"].get<bool>());
  EXPECT_NE(c["State"]["FinishedAt"], "0001-01-01T00:00:00Z");
  EXPECT_NE(ok({"ps", "-a", "--filter", "name=three"}).find("Exited (3)"), std::string::npos);
  EXPECT_EQ(lines_of(ok({"ps", "-aq", "--filter", "exited=3"})).size(), 1U);
  EXPECT_TRUE(lines_of(ok({"ps", "-q"})).empty());
}

TEST_F(containers, detached_server_shows_up_in_ps) {
  auto id = ok({"run", "-d", "--name", "web", "busybox", "httpd", "-f", "-p", "8080"});
  ASSERT_EQ(id.size(), 64U);
  auto ps = ok({"ps", "--format", "{{.Names}} {{.Status}} {{.Image}} {{.Command}}"});
  EXPECT_EQ(ps.rfind("web Up ", 0), 0U) << ps;
  EXPECT_NE(ps.find("busybox \"httpd -f -p 8080\""), std::string::npos) << ps;
  auto c = inspect("web");
  EXPECT_TRUE(c["State"]["Running"].get<bool>());
  EXPECT_GT(c["State"]["Pid"].get<int>(), 1);
  EXPECT_EQ(c["Name"], "/web");
  EXPECT_EQ(c["Config"]["Cmd"], json({"httpd", "-f", "-p", "8080"}));
  // The server really runs in the container's own pid namespace.
  auto pid = c["State"]["Pid"].get<int>();
  EXPECT_EQ(read_text("/proc/" + std::to_string(pid) + "/comm"), "httpd");
  EXPECT_NE(ns_of(pid, "pid"), ns_of(::getpid(), "pid"));
  EXPECT_NE(ns_of(pid, "mnt"), ns_of(::getpid(), "mnt"));
}

// ---- logs ---------------------------------------------------------------------------------------

TEST_F(containers, logs_tail_timestamps_and_follow) {
  ok({"run", "-d", "-i", "--name", "count", "busybox", "sh", "-c",
      "i=0; while [ $i -lt 10 ]; do echo line$i; i=$((i+1)); done; echo err-line >&2; "
      "echo done; read x"});
  ASSERT_TRUE(wait_for_log("count", "done"));

  auto tail = docker({"logs", "--tail", "5", "--timestamps", "count"});
  ASSERT_EQ(tail.exit_code, 0) << tail.err;
  auto out = lines_of(tail.out);
  ASSERT_EQ(out.size(), 4U) << tail.out; // line7..line9 and done (err-line went to stderr)
  EXPECT_EQ(lines_of(tail.err).size(), 1U);
  // Go's RFC3339Nano: trailing zeros of the fraction are dropped.
  std::regex stamped(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z (line[7-9]|done)$)");
  for (const auto& line : out)
    EXPECT_TRUE(std::regex_match(line, stamped)) << line;

  auto all = docker({"logs", "count"});
  EXPECT_EQ(lines_of(all.out).size(), 11U);
  EXPECT_EQ(all.err, "err-line\n");
  EXPECT_EQ(lines_of(ok({"logs", "--tail", "0", "count"})).size(), 0U);

  EXPECT_TRUE(inspect("count")["State"]["Running"].get<bool>());
}

TEST_F(containers, logs_follow_sees_new_lines_and_ends_at_exit) {
  ok({"run", "-d", "-i", "--name", "echoer", "busybox", "sh", "-c",
      "echo ready; read line; echo got-$line"});
  ASSERT_TRUE(wait_for_log("echoer", "ready"));
  background_process follow({"docker", "logs", "-f", "echoer"}, daemon_.docker_env());
  EXPECT_EQ(follow.read_line(10s).value_or("<none>"), "ready");
  // Feed the container's stdin through attach; its answer shows up in the followed logs.
  auto fed = docker({"attach", "echoer"}, {.stdin_data = "ping\n", .timeout = 20s});
  EXPECT_EQ(fed.exit_code, 0) << fed.err;
  EXPECT_EQ(follow.read_line(10s).value_or("<none>"), "got-ping");
  EXPECT_EQ(follow.read_line(10s), std::nullopt); // EOF: the container exited
  EXPECT_EQ(follow.wait(10s), 0);
}

// ---- stop, kill, start, restart, rename, wait, rm, prune ----------------------------------------

TEST_F(containers, stop_kills_a_sigterm_ignoring_container_after_the_timeout) {
  ok({"run", "-d", "--name", "stubborn", "busybox", "sh", "-c",
      "trap '' TERM; echo ready; while :; do sleep 0.1; done"});
  ASSERT_TRUE(wait_for_log("stubborn", "ready"));
  auto begin = std::chrono::steady_clock::now();
  ok({"stop", "-t", "2", "stubborn"});
  auto took = std::chrono::steady_clock::now() - begin;
  EXPECT_GE(took, 1900ms);
  EXPECT_LT(took, 8s);
  auto c = inspect("stubborn");
  EXPECT_EQ(c["State"]["Status"], "exited");
  EXPECT_EQ(c["State"]["ExitCode"], 137);
}

TEST_F(containers, stop_of_a_polite_container_is_quick_and_clean) {
  // "ready" once the trap is set: a stop before that would kill the shell (143).
  ok({"run", "-d", "--name", "polite", "busybox", "sh", "-c", "echo ready; " + polite_loop});
  ASSERT_TRUE(wait_for_log("polite", "ready"));
  auto begin = std::chrono::steady_clock::now();
  ok({"stop", "polite"});
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 5s);
  EXPECT_EQ(inspect("polite")["State"]["ExitCode"], 0);
  // Stopping a stopped container is fine, starting twice is a no-op (304 → no error).
  ok({"stop", "polite"});
  ok({"start", "polite"});
  ok({"start", "polite"});
  EXPECT_TRUE(inspect("polite")["State"]["Running"].get<bool>());
  // --stop-signal and --stop-timeout are honoured.
  ok({"run", "-d", "--name", "usr1", "--stop-signal", "USR1", "busybox", "sh", "-c",
      "trap 'exit 5' USR1; echo ready; while :; do sleep 0.1; done"});
  ASSERT_TRUE(wait_for_log("usr1", "ready"));
  ok({"stop", "usr1"});
  EXPECT_EQ(inspect("usr1")["State"]["ExitCode"], 5);
  EXPECT_EQ(inspect("usr1")["Config"]["StopSignal"], "USR1");
}

TEST_F(containers, start_attach_replays_output_each_time) {
  ok({"create", "--name", "once", "busybox", "echo", "again"});
  EXPECT_EQ(inspect("once")["State"]["Status"], "created");
  EXPECT_EQ(ok({"start", "-a", "once"}), "again");
  EXPECT_EQ(ok({"start", "-a", "once"}), "again");
  EXPECT_EQ(ok({"logs", "once"}), "again\nagain");
  auto failing = docker({"run", "--name", "fails", "busybox", "sh", "-c", "exit 4"});
  EXPECT_EQ(failing.exit_code, 4);
  EXPECT_EQ(docker({"start", "-a", "fails"}).exit_code, 4);
}

TEST_F(containers, restart_runs_the_process_again) {
  ok({"run", "-d", "--name", "rr", "busybox", "sh", "-c", "echo started; " + polite_loop});
  ASSERT_TRUE(wait_for_log("rr", "started"));
  auto before = inspect("rr");
  ok({"restart", "-t", "2", "rr"});
  auto after = inspect("rr");
  EXPECT_TRUE(after["State"]["Running"].get<bool>());
  EXPECT_NE(after["State"]["Pid"], before["State"]["Pid"]);
  EXPECT_NE(after["State"]["StartedAt"], before["State"]["StartedAt"]);
  EXPECT_EQ(after["RestartCount"], 0); // a manual restart is not a policy restart
  ASSERT_TRUE(wait_for_log("rr", "started", 15s, 2));
  EXPECT_EQ(lines_of(ok({"logs", "rr"})).size(), 2U);
}

TEST_F(containers, kill_delivers_named_and_numbered_signals) {
  ok({"run", "-d", "--name", "kk", "busybox", "sh", "-c",
      "trap 'echo got-hup' HUP; trap 'echo got-usr2' USR2; echo ready; "
      "while :; do sleep 0.1; done"});
  ASSERT_TRUE(wait_for_log("kk", "ready"));
  ok({"kill", "-s", "HUP", "kk"});
  ASSERT_TRUE(wait_for_log("kk", "got-hup"));
  ok({"kill", "-s", "12", "kk"});
  ASSERT_TRUE(wait_for_log("kk", "got-usr2"));
  EXPECT_TRUE(inspect("kk")["State"]["Running"].get<bool>());
  auto bad = docker({"kill", "-s", "NOPE", "kk"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("Invalid signal: NOPE"), std::string::npos) << bad.err;
  ok({"kill", "kk"});
  EXPECT_EQ(ok({"wait", "kk"}), "137");
  auto again = docker({"kill", "kk"});
  EXPECT_NE(again.err.find("is not running"), std::string::npos) << again.err;
}

TEST_F(containers, rename_and_wait) {
  // Names that are no hex prefix: docker inspect also looks for networks and images by ID prefix.
  ok({"run", "-d", "-i", "--name", "old-name", "busybox", "sh", "-c", "read x; exit 7"});
  ok({"rename", "old-name", "new-name"});
  EXPECT_EQ(inspect("new-name")["Name"], "/new-name");
  auto gone = docker({"inspect", "old-name"});
  EXPECT_NE(gone.exit_code, 0);
  EXPECT_NE(gone.err.find("No such object: old-name"), std::string::npos) << gone.err;
  // The old name is free again; the new one is taken.
  ok({"create", "--name", "old-name", "busybox", "true"});
  auto clash = docker({"rename", "old-name", "new-name"});
  EXPECT_NE(clash.exit_code, 0);
  EXPECT_NE(clash.err.find("is already in use"), std::string::npos) << clash.err;

  background_process waiter({"docker", "wait", "new-name"}, daemon_.docker_env());
  // attach ends with the container, and returns its exit code.
  EXPECT_EQ(docker({"attach", "new-name"}, {.stdin_data = "go\n", .timeout = 20s}).exit_code, 7);
  EXPECT_EQ(waiter.read_line(10s).value_or("<none>"), "7");
  EXPECT_EQ(ok({"wait", "new-name"}), "7"); // an exited container answers at once
}

TEST_F(containers, wait_condition_removed_answers_after_rm) {
  auto id = ok({"create", "busybox", "true"});
  auto waiter = start_wait(id, "removed");
  ok({"rm", id});
  EXPECT_EQ(wait_body(*waiter)["StatusCode"], 0);
  // A wait for an unknown container is a plain 404; an unknown condition a 400.
  auto missing =
      daemon_.curl({"-X", "POST", "-w", "\n%{http_code}", "http://d/containers/" + id + "/wait"});
  EXPECT_NE(missing.out.find("No such container"), std::string::npos) << missing.out;
  EXPECT_NE(missing.out.find("\n404"), std::string::npos) << missing.out;
  auto other = ok({"create", "busybox", "true"});
  auto bad = daemon_.curl({"-X", "POST", "-w", "\n%{http_code}",
                           "http://d/containers/" + other + "/wait?condition=sometime"});
  EXPECT_NE(bad.out.find("\n400"), std::string::npos) << bad.out;
}

TEST_F(containers, rm_refuses_a_running_container_unless_forced) {
  auto id = ok({"run", "-d", "--name", "xx", "busybox", "sh", "-c", polite_loop});
  auto refused = docker({"rm", "xx"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("container is running: stop the container before removing or "
                             "force remove"),
            std::string::npos)
      << refused.err;
  auto pid = inspect("xx")["State"]["Pid"].get<int>();
  ok({"rm", "-f", "xx"});
  EXPECT_TRUE(all_ids().empty());
  EXPECT_NE(::kill(pid, 0), 0); // the process is gone
  // Its directories and its rootfs mount are gone too.
  std::ifstream mounts("/proc/self/mountinfo");
  std::string text((std::istreambuf_iterator<char>(mounts)), {});
  EXPECT_EQ(text.find(id), std::string::npos);
  EXPECT_EQ(::access((daemon_.data_root + "/containers/" + id).c_str(), F_OK), -1);
}

TEST_F(containers, prune_removes_only_stopped_containers) {
  auto keep = ok({"run", "-d", "--name", "keep", "busybox", "sh", "-c", polite_loop});
  auto gone1 = ok({"create", "busybox", "true"});
  (void)docker({"run", "--name", "gone2", "busybox", "false"});
  auto pruned = ok({"container", "prune", "-f"});
  EXPECT_NE(pruned.find("Deleted Containers:"), std::string::npos) << pruned;
  EXPECT_NE(pruned.find(gone1), std::string::npos) << pruned;
  EXPECT_NE(pruned.find("Total reclaimed space:"), std::string::npos) << pruned;
  EXPECT_EQ(all_ids(), std::set<std::string>{keep});
  // Nothing left to prune still answers (it once never did); `until` takes a duration.
  auto nothing = ok({"container", "prune", "-f"});
  EXPECT_EQ(nothing.find("Deleted Containers:"), std::string::npos) << nothing;
  EXPECT_NE(nothing.find("Total reclaimed space: 0B"), std::string::npos) << nothing;
  (void)ok({"create", "busybox", "true"});
  EXPECT_EQ(ok({"container", "prune", "-f", "--filter", "until=1h"}).find("Deleted Containers:"),
            std::string::npos);
  EXPECT_EQ(all_ids().size(), 2u);
}

TEST_F(containers, ps_filters_and_formats) {
  auto a =
      ok({"run", "-d", "--name", "pa", "--label", "tier=web", "busybox", "sh", "-c", polite_loop});
  auto b = ok({"create", "--name", "pb", "--label", "tier=db", "busybox", "true"});
  auto c = ok({"run", "--name", "pc", "busybox", "true"});
  (void)c;
  EXPECT_EQ(lines_of(ok({"ps", "-q"})).size(), 1U);
  EXPECT_EQ(lines_of(ok({"ps", "-aq"})).size(), 3U);
  EXPECT_EQ(ok({"ps", "-aq", "--no-trunc", "--filter", "label=tier=db"}), b);
  EXPECT_EQ(ok({"ps", "-aq", "--no-trunc", "--filter", "status=running"}), a);
  EXPECT_EQ(ok({"ps", "-aq", "--no-trunc", "--filter", "status=created"}), b);
  EXPECT_EQ(ok({"ps", "-a", "--format", "{{.Names}}", "--filter", "name=pc"}), "pc");
  EXPECT_EQ(lines_of(ok({"ps", "-aq", "--filter", "ancestor=busybox"})).size(), 3U);
  EXPECT_EQ(lines_of(ok({"ps", "-aq", "--filter", "since=pa"})).size(), 2U);
  EXPECT_EQ(lines_of(ok({"ps", "-aq", "--filter", "before=pc"})).size(), 2U);
  EXPECT_EQ(lines_of(ok({"ps", "-aq", "-n", "1"})).size(), 1U);
  EXPECT_EQ(ok({"ps", "-aq", "--no-trunc", "--filter", "id=" + a.substr(0, 12)}), a);
  auto bad = docker({"ps", "--filter", "status=sleepy"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("invalid filter 'status=sleepy'"), std::string::npos) << bad.err;
  auto info = json::parse(ok({"info", "--format", "{{json .}}"}), nullptr, false);
  EXPECT_EQ(info["Containers"], 3);
  EXPECT_EQ(info["ContainersRunning"], 1);
  EXPECT_EQ(info["ContainersStopped"], 2);
}

// ---- stdin, TTY, attach -----------------------------------------------------------------------

TEST_F(containers, piped_stdin_reaches_the_container) {
  auto r = docker({"run", "--rm", "-i", "busybox", "cat"}, {.stdin_data = "hi\n"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hi\n");
  std::string big(1 << 20, 'x');
  auto wc = docker({"run", "--rm", "-i", "busybox", "wc", "-c"}, {.stdin_data = big});
  EXPECT_EQ(trim(wc.out), std::to_string(big.size()));
}

TEST_F(containers, interactive_tty_session_through_script) {
  // script(1) gives the docker CLI a real terminal: type a command, see its output, exit.
  auto r = run({"script", "-q", "-e", "-c", "docker run --rm -it busybox sh", "/dev/null"},
               {.stdin_data = "echo tty-$((40+2)); [ -t 0 ] && echo is-a-tty\nexit 5\n",
                .env = daemon_.docker_env(),
                .timeout = 30s});
  EXPECT_NE(r.out.find("tty-42"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("is-a-tty"), std::string::npos) << r.out;
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_TRUE(all_ids().empty());
}

TEST_F(containers, interactive_session_follows_terminal_resizes) {
  terminal term(daemon_.root, daemon_.docker_env(), "docker run --rm -it busybox sh");
  ASSERT_TRUE(term.shows("/ #")) << term.screen();
  term.type({"stty size", "Enter"});
  EXPECT_TRUE(term.shows("30 120")) << term.screen();
  term.resize(100, 20);
  // The CLI passes the resize on asynchronously (SIGWINCH, then an API call): keys typed at once
  // may reach the shell first, so ask again until the new size has arrived.
  bool resized = false;
  for (int attempt = 0; attempt < 10 && !resized; ++attempt) {
    term.type({"clear; stty size", "Enter"});
    resized = term.shows("20 100", std::chrono::seconds(1));
  }
  EXPECT_TRUE(resized) << term.screen();
  term.type({"exit", "Enter"});
  EXPECT_TRUE(term.shows_exit(0)) << term.screen();
  EXPECT_TRUE(all_ids().empty());
}

TEST_F(containers, tty_resize_reaches_the_container) {
  ok({"run", "-d", "-t", "--name", "tty", "busybox", "sh", "-c",
      "trap 'stty size' WINCH; echo ready; while :; do sleep 0.1; done"});
  ASSERT_TRUE(wait_for_log("tty", "ready"));
  auto r = daemon_.curl({"-X", "POST", "-o", "/dev/null", "-w", "%{http_code}",
                         "http://d/containers/tty/resize?h=41&w=123"});
  EXPECT_EQ(r.out, "200");
  EXPECT_TRUE(wait_for_log("tty", "41 123"));
  auto bad = daemon_.curl({"-X", "POST", "http://d/containers/tty/resize?h=x&w=1"});
  EXPECT_NE(bad.out.find("message"), std::string::npos) << bad.out;
}

TEST_F(containers, only_stdio_is_inherited) {
  // The descriptors of pid 1 (the shell, which forks ls: a glob or `ls /proc/self/fd` would
  // also list its own directory handle).
  auto script = "ls /proc/1/fd; true";
  EXPECT_EQ(ok({"run", "--rm", "busybox", "sh", "-c", script}), "0\n1\n2");
  EXPECT_EQ(ok({"run", "--rm", "-i", "busybox", "sh", "-c", script}, {.stdin_data = ""}),
            "0\n1\n2");
  auto tty = run({"script", "-q", "-e", "-c",
                  "docker run --rm -t busybox sh -c 'ls -1 /proc/1/fd; true'", "/dev/null"},
                 {.env = daemon_.docker_env(), .timeout = 30s});
  EXPECT_EQ(lines_of(tty.out), (std::vector<std::string>{"0", "1", "2"})) << tty.out;
}

TEST_F(containers, attach_detaches_on_the_detach_keys_and_leaves_the_container_running) {
  ok({"run", "-dit", "--name", "det", "busybox", "sh"});
  {
    terminal term(daemon_.root, daemon_.docker_env(), "docker attach det");
    term.type({"Enter"});
    ASSERT_TRUE(term.shows("/ #")) << term.screen();
    term.type({"echo attached-$((20+1))", "Enter"});
    ASSERT_TRUE(term.shows("attached-21")) << term.screen();
    term.type({"C-p", "C-q"});
    EXPECT_TRUE(term.shows("read escape sequence")) << term.screen();
  }
  EXPECT_TRUE(inspect("det")["State"]["Running"].get<bool>());
  {
    terminal term(daemon_.root, daemon_.docker_env(), "docker attach --detach-keys ctrl-x,x det");
    term.type({"Enter"});
    ASSERT_TRUE(term.shows("/ #")) << term.screen();
    term.type({"C-x", "x"});
    EXPECT_TRUE(term.shows("read escape sequence")) << term.screen();
  }
  EXPECT_TRUE(inspect("det")["State"]["Running"].get<bool>());
  auto bad = daemon_.curl({"-X", "POST", "-w", "\n%{http_code}",
                           "http://d/containers/det/attach?stream=1&stdin=1&detachKeys=ctrl-"});
  EXPECT_NE(bad.out.find("\n400"), std::string::npos) << bad.out;
}

// ---- resources and security --------------------------------------------------------------------

TEST_F(containers, memory_limit_oom_kills) {
  // dd allocates (and fills) a 128 MiB buffer: over the 64 MiB limit (no swap on this host).
  auto r = docker({"run", "--name", "oom", "--memory", "64m", "busybox", "dd", "if=/dev/zero",
                   "of=/dev/null", "bs=128M", "count=1"});
  EXPECT_EQ(r.exit_code, 137) << r.err;
  auto c = inspect("oom");
  EXPECT_TRUE(c["State"]["OOMKilled"].get<bool>());
  EXPECT_EQ(c["HostConfig"]["Memory"], 64 << 20);
  // Within the limit it completes.
  EXPECT_EQ(docker({"run", "--rm", "--memory", "64m", "busybox", "dd", "if=/dev/zero",
                    "of=/dev/null", "bs=16M", "count=1"})
                .exit_code,
            0);
}

TEST_F(containers, pids_limit_stops_a_fork_bomb) {
  // The shell forks until the cgroup refuses; busybox sh gives up at the first failed fork.
  auto r = docker({"run", "--rm", "--pids-limit", "20", "busybox", "sh", "-c",
                   "i=0; while [ $i -lt 200 ]; do sleep 30 & i=$((i+1)); done; echo unreached"},
                  {.timeout = 60s});
  EXPECT_NE(r.err.find("can't fork"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("unreached"), std::string::npos) << r.out;
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(
      ok({"run", "--rm", "--pids-limit", "20", "busybox", "cat", "/sys/fs/cgroup/pids/pids.max"}),
      "20");
}

TEST_F(containers, cpu_limits_are_in_the_cgroup) {
  auto id = ok({"run", "-d", "--cpus", "0.5", "--cpu-shares", "512", "--name", "cpu", "busybox",
                "sh", "-c", polite_loop});
  EXPECT_EQ(read_text(cgroup_dir("cpu", id) + "/cpu.cfs_quota_us"), "50000");
  EXPECT_EQ(read_text(cgroup_dir("cpu", id) + "/cpu.cfs_period_us"), "100000");
  EXPECT_EQ(read_text(cgroup_dir("cpu", id) + "/cpu.shares"), "512");
  // A container sees its own limits.
  EXPECT_EQ(ok({"run", "--rm", "--cpus", "0.25", "busybox", "cat",
                "/sys/fs/cgroup/cpu/cpu.cfs_quota_us"}),
            "25000");
  EXPECT_EQ(inspect("cpu")["HostConfig"]["NanoCpus"], 500000000);
}

TEST_F(containers, security_settings_take_effect_inside) {
  auto ro = docker({"run", "--rm", "--read-only", "busybox", "sh", "-c",
                    "touch /x 2>&1; touch /dev/shm/ok && echo shm-ok"});
  EXPECT_NE(ro.out.find("Read-only file system"), std::string::npos) << ro.out;
  EXPECT_NE(ro.out.find("shm-ok"), std::string::npos) << ro.out;

  EXPECT_EQ(ok({"run", "--rm", "--user", "1000:1000", "busybox", "sh", "-c", "id -u; id -g"}),
            "1000\n1000");
  EXPECT_EQ(ok({"run", "--rm", "--user", "user", "busybox", "sh", "-c", "id -un; echo $HOME"}),
            "user\n/home/user");
  auto unknown = docker({"run", "--rm", "--user", "ghost", "busybox", "true"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("no matching entries in passwd file"), std::string::npos)
      << unknown.err;

  EXPECT_EQ(
      ok({"run", "--rm", "--cap-drop", "ALL", "busybox", "grep", "CapEff", "/proc/self/status"}),
      "CapEff:\t0000000000000000");
  EXPECT_EQ(ok({"run", "--rm", "busybox", "grep", "CapEff", "/proc/self/status"}),
            "CapEff:\t00000000a80425fb"); // Docker's default set
  EXPECT_EQ(ok({"run", "--rm", "--cap-drop", "ALL", "--cap-add", "NET_ADMIN", "busybox", "grep",
                "CapEff", "/proc/self/status"}),
            "CapEff:\t0000000000001000");
  auto chown = docker({"run", "--rm", "--cap-drop", "CHOWN", "busybox", "chown", "1:1", "/tmp"});
  EXPECT_NE(chown.exit_code, 0);

  EXPECT_EQ(ok({"run", "--rm", "--security-opt", "no-new-privileges", "busybox", "grep",
                "NoNewPrivs", "/proc/self/status"}),
            "NoNewPrivs:\t1");
  EXPECT_EQ(ok({"run", "--rm", "busybox", "grep", "NoNewPrivs", "/proc/self/status"}),
            "NoNewPrivs:\t0");
  // Default seccomp profile on; unconfined off.
  EXPECT_EQ(ok({"run", "--rm", "busybox", "grep", "Seccomp:", "/proc/self/status"}), "Seccomp:\t2");
  EXPECT_EQ(ok({"run", "--rm", "--security-opt", "seccomp=unconfined", "busybox", "grep",
                "Seccomp:", "/proc/self/status"}),
            "Seccomp:\t0");
  // Masked and read-only paths; hostname, hosts, resolv.conf.
  EXPECT_EQ(ok({"run", "--rm", "busybox", "cat", "/proc/keys"}), "");
  EXPECT_EQ(ok({"run", "--rm", "--hostname", "box1", "busybox", "hostname"}), "box1");
  auto hosts = ok({"run", "--rm", "--hostname", "box2", "busybox", "cat", "/etc/hosts"});
  EXPECT_NE(hosts.find("127.0.0.1\tlocalhost"), std::string::npos) << hosts;
  EXPECT_EQ(ok({"run", "--rm", "-w", "/tmp", "-e", "A=b", "busybox", "sh", "-c",
                "pwd; echo $A; echo $PATH"}),
            "/tmp\nb\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
}

TEST_F(containers, init_reaps_and_forwards_signals) {
  // The init is pid 1 and the command its child; SIGTERM reaches the command through it.
  auto r = ok({"run", "--rm", "--init", "busybox", "sh", "-c", "cat /proc/1/comm; echo $$"});
  EXPECT_EQ(lines_of(r).at(0), "docker-init");
  EXPECT_NE(lines_of(r).at(1), "1");
  ok({"run", "-d", "--init", "--name", "initd", "busybox", "sh", "-c",
      "trap 'exit 3' TERM; echo ready; while :; do sleep 0.1; done"});
  ASSERT_TRUE(wait_for_log("initd", "ready")); // a SIGTERM before the trap would kill the shell
  ok({"stop", "initd"});
  EXPECT_EQ(inspect("initd")["State"]["ExitCode"], 3);
  EXPECT_TRUE(inspect("initd")["HostConfig"]["Init"].get<bool>());
}

// ---- restart policies, daemon restarts, live restore ------------------------------------------

TEST_F(containers, on_failure_restarts_exactly_n_times) {
  background_process events({"docker", "events", "--since", unix_now(), "--filter",
                             "container=flaky", "--filter", "event=die", "--format", "{{.Action}}"},
                            daemon_.docker_env());
  ok({"run", "-d", "--name", "flaky", "--restart", "on-failure:3", "busybox", "sh", "-c",
      "echo run; exit 1"});
  for (int i = 0; i < 4; ++i)
    ASSERT_EQ(events.read_line(20s).value_or("<none>"), "die") << "die event " << i;
  // After the fourth exit the policy gives up: no restart is pending.
  EXPECT_EQ(events.read_line(2s), std::nullopt);
  auto c = inspect("flaky");
  EXPECT_EQ(c["RestartCount"], 3);
  EXPECT_EQ(c["State"]["Status"], "exited");
  EXPECT_EQ(c["State"]["ExitCode"], 1);
  EXPECT_EQ(lines_of(ok({"logs", "flaky"})).size(), 4U);
  // on-failure does not restart a clean exit.
  ok({"run", "-d", "--name", "clean", "--restart", "on-failure", "busybox", "true"});
  EXPECT_EQ(ok({"wait", "clean"}), "0");
  EXPECT_EQ(inspect("clean")["RestartCount"], 0);
}

TEST_F(containers, run_rm_removes_after_exit) {
  auto id = ok({"run", "-d", "--rm", "-i", "busybox", "sh", "-c", "read x"});
  ASSERT_EQ(all_ids().size(), 1U);
  auto waiter = start_wait(id, "removed");
  ok({"attach", id}, {.stdin_data = "bye\n", .timeout = 20s});
  EXPECT_EQ(wait_body(*waiter)["StatusCode"], 0);
  EXPECT_TRUE(all_ids().empty());
}

class containers_without_live_restore : public containers {
 protected:
  containers_without_live_restore()
      : containers(daemon_options{.config_json = R"({"live-restore": false})"}) {}
};

TEST_F(containers_without_live_restore, always_comes_back_after_a_daemon_restart) {
  ok({"run", "-d", "--name", "always", "--restart", "always", "busybox", "sh", "-c",
      "echo up; " + polite_loop});
  ok({"run", "-d", "--name", "never", "busybox", "sh", "-c", polite_loop});
  ok({"run", "-d", "--name", "stopped", "--restart", "unless-stopped", "busybox", "sh", "-c",
      polite_loop});
  ok({"stop", "stopped"});
  auto pid = inspect("always")["State"]["Pid"].get<int>();
  ASSERT_EQ(daemon_.stop(SIGTERM, 30s), 0);
  EXPECT_NE(::kill(pid, 0), 0) << "live-restore=false stops containers with the daemon";
  ASSERT_TRUE(daemon_.start()) << daemon_.start_error();
  EXPECT_TRUE(inspect("always")["State"]["Running"].get<bool>());
  EXPECT_FALSE(inspect("never")["State"]["Running"].get<bool>());
  EXPECT_FALSE(inspect("stopped")["State"]["Running"].get<bool>());
  EXPECT_EQ(lines_of(ok({"logs", "always"})).size(), 2U);
}

TEST_F(containers, live_restore_survives_kill_9) {
  constexpr int count = 10;
  for (int i = 0; i < count; ++i)
    ok({"run", "-d", "--name", "c" + std::to_string(i), "busybox", "sh", "-c",
        "i=0; while :; do echo $i; i=$((i+1)); sleep 1; done"});
  ok({"run", "-d", "--name", "short", "busybox", "sh", "-c", "sleep 2; exit 42"});
  ok({"run", "-d", "--name", "waited", "-i", "busybox", "sh", "-c", "read x; exit 9"});
  std::map<std::string, int> pids;
  for (int i = 0; i < count; ++i)
    pids["c" + std::to_string(i)] = inspect("c" + std::to_string(i))["State"]["Pid"];

  daemon_.kill9();
  // The issue's scenario: the daemon stays down for 5 s while "short" exits.
  std::this_thread::sleep_for(5s);
  for (const auto& [name, pid] : pids)
    EXPECT_EQ(::kill(pid, 0), 0) << name << " died with the daemon";
  ASSERT_TRUE(daemon_.start()) << daemon_.start_error();

  EXPECT_EQ(lines_of(ok({"ps", "-q"})).size(), static_cast<size_t>(count + 1));
  for (const auto& [name, pid] : pids) {
    auto c = inspect(name);
    EXPECT_TRUE(c["State"]["Running"].get<bool>()) << name;
    EXPECT_EQ(c["State"]["Pid"], pid) << name;
    // No line is missing: the counter's lines are 0, 1, 2, ... without a gap.
    auto logged = lines_of(ok({"logs", name}));
    EXPECT_GE(logged.size(), 6U) << name;
    for (size_t n = 0; n < logged.size(); ++n)
      ASSERT_EQ(logged[n], std::to_string(n)) << name;
  }
  auto short_lived = inspect("short");
  EXPECT_EQ(short_lived["State"]["Status"], "exited");
  EXPECT_EQ(short_lived["State"]["ExitCode"], 42);
  EXPECT_NE(short_lived["State"]["FinishedAt"], "0001-01-01T00:00:00Z");

  // The restored containers are fully controllable again.
  background_process follow({"docker", "logs", "-f", "--tail", "0", "c0"}, daemon_.docker_env());
  EXPECT_TRUE(follow.read_line(10s).has_value());
  background_process waiter({"docker", "wait", "waited"}, daemon_.docker_env());
  EXPECT_EQ(docker({"attach", "waited"}, {.stdin_data = "x\n", .timeout = 20s}).exit_code, 9);
  EXPECT_EQ(waiter.read_line(10s).value_or("<none>"), "9");
  ok({"stop", "-t", "1", "c1"});
  EXPECT_FALSE(inspect("c1")["State"]["Running"].get<bool>());
}

// ---- events, metrics, info, sizes, log options ---------------------------------------------

TEST_F(containers, actions_emit_dockers_events_and_metrics) {
  background_process events({"docker", "events", "--since", unix_now(), "--filter",
                             "type=container", "--format",
                             "{{.Action}} {{.Actor.Attributes.name}}"},
                            daemon_.docker_env());
  ok({"run", "--name", "ev", "busybox", "true"});
  ok({"rename", "ev", "ev2"});
  ok({"rm", "ev2"});
  std::vector<std::string> seen;
  for (int i = 0; i < 6; ++i)
    seen.push_back(events.read_line(10s).value_or("<none>"));
  EXPECT_EQ(seen, (std::vector<std::string>{"create ev", "attach ev", "start ev", "die ev",
                                            "rename ev2", "destroy ev2"}));
  auto metrics =
      run({"curl", "-s", "http://127.0.0.1:" + std::to_string(daemon_.metrics_port) + "/metrics"});
  EXPECT_NE(metrics.out.find("engine_daemon_container_actions_seconds_count{action=\"start\"} 1"),
            std::string::npos)
      << metrics.out;
  EXPECT_NE(metrics.out.find("engine_daemon_container_states_containers{state=\"running\"} 0"),
            std::string::npos);
  auto check = run({"sh", "-c",
                    "curl -s http://127.0.0.1:" + std::to_string(daemon_.metrics_port) +
                        "/metrics | promtool check metrics"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

TEST_F(containers, info_lists_the_runtimes_and_the_probed_default) {
  auto info = json::parse(ok({"info", "--format", "{{json .}}"}), nullptr, false);
  ASSERT_TRUE(info.contains("Runtimes"));
  EXPECT_TRUE(info["Runtimes"].contains("runc"));
  // crun refuses this machine's hybrid cgroup layout, so the probe settles on runc here; on a
  // host where crun works it is the default.
  auto def = info["DefaultRuntime"].get<std::string>();
  EXPECT_TRUE(def == "runc" || def == "crun") << def;
  EXPECT_EQ(inspect(ok({"create", "busybox", "true"}))["HostConfig"]["Runtime"], def);
  auto unknown = docker({"create", "--runtime", "nosuch", "busybox"});
  EXPECT_NE(unknown.err.find("unknown or invalid runtime name: nosuch"), std::string::npos)
      << unknown.err;
}

TEST_F(containers, sizes_in_ps_and_system_df) {
  ok({"run", "--name", "writer", "busybox", "dd", "if=/dev/zero", "of=/blob", "bs=1M", "count=3"});
  auto ps = ok({"ps", "-as", "--format", "{{.Names}} {{.Size}}"});
  EXPECT_NE(ps.find("writer 3.15MB (virtual"), std::string::npos) << ps;
  auto df = json::parse(daemon_.curl({"http://d/system/df"}).out, nullptr, false);
  ASSERT_EQ(df["Containers"].size(), 1U) << df.dump();
  EXPECT_EQ(df["Containers"][0]["SizeRw"], 3 << 20);
  ASSERT_EQ(df["Images"].size(), 1U);
  EXPECT_EQ(df["Images"][0]["Containers"], 1);
}

TEST_F(containers, log_options_rotate_the_json_file) {
  auto id =
      ok({"run", "--name", "chatty", "--log-opt", "max-size=2k", "--log-opt", "max-file=2",
          "busybox", "sh", "-c", "i=0; while [ $i -lt 500 ]; do echo line$i; i=$((i+1)); done"});
  auto lines = lines_of(ok({"logs", "chatty"}));
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), "line499");
  EXPECT_LT(lines.size(), 500U); // older files were rotated away
  // Kept lines are consecutive: rotation loses whole files, never lines in between.
  auto first = std::stoi(lines.front().substr(4));
  for (size_t n = 0; n < lines.size(); ++n)
    ASSERT_EQ(lines[n], "line" + std::to_string(first + static_cast<int>(n)));
  auto log_path = inspect("chatty")["LogPath"].get<std::string>();
  EXPECT_FALSE(log_path.empty());
  EXPECT_EQ(::access((log_path + ".1").c_str(), F_OK), 0);
  EXPECT_NE(::access((log_path + ".2").c_str(), F_OK), 0);
  auto none = docker({"run", "--log-driver", "none", "--name", "quiet", "busybox", "echo", "x"});
  EXPECT_EQ(none.out, "x\n"); // attached output still arrives
  auto logs = docker({"logs", "quiet"});
  EXPECT_NE(logs.exit_code, 0);
}

TEST_F(containers, logs_follow_goes_on_in_the_new_file_after_a_rotation) {
  auto id = ok({"run", "-d", "--name", "rotating", "--log-opt", "max-size=8k", "--log-opt",
                "max-file=2", "busybox", "sh", "-c",
                "sleep 1; i=0; while [ $i -lt 150 ]; do echo line$i; i=$((i+1)); usleep 20000; "
                "done"});
  run_options opts;
  opts.env = daemon_.docker_env();
  opts.timeout = std::chrono::seconds(60);
  auto followed = run({"docker", "logs", "-f", "rotating"}, opts);
  ASSERT_FALSE(followed.timed_out);
  auto lines = lines_of(followed.out);
  ASSERT_EQ(lines.size(), 150U) << followed.out;
  for (size_t n = 0; n < lines.size(); ++n)
    ASSERT_EQ(lines[n], "line" + std::to_string(n));
  auto log_path = inspect("rotating")["LogPath"].get<std::string>();
  EXPECT_EQ(::access((log_path + ".1").c_str(), F_OK), 0); // it did rotate
}

TEST_F(containers, a_command_that_cannot_start_is_a_clear_error) {
  auto r = docker({"run", "--rm", "busybox", "nosuchcmd"});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_NE(r.err.find("exec: \"nosuchcmd\": executable file not found in $PATH"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(all_ids().empty()); // --rm removed it
  auto kept = docker({"run", "--name", "broken", "busybox", "/etc/passwd"});
  EXPECT_EQ(kept.exit_code, 126);
  auto c = inspect("broken");
  EXPECT_EQ(c["State"]["Status"], "created");
  EXPECT_EQ(c["State"]["ExitCode"], 126);
  EXPECT_NE(c["State"]["Error"].get<std::string>().find("permission denied"), std::string::npos)
      << c["State"].dump();
}

// ---- bad input ----------------------------------------------------------------------------------

TEST_F(containers, bad_input_is_refused_and_creates_nothing) {
  struct refused {
    std::vector<std::string> args;
    std::string message;
  };
  std::vector<refused> cases = {
      {{"create", "--pull", "never", "nosuchimage"}, "No such image: nosuchimage:latest"},
      {{"create", "--name", "bad name!", "busybox"},
       "Invalid container name (bad name!), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"},
      {{"create", "--memory", "1m", "busybox"}, "Minimum memory limit allowed is 6MB"},
      {{"create", "--restart", "sometimes", "busybox"}, "invalid restart policy"},
      {{"create", "--cap-add", "FLY", "busybox"}, "unknown capability: \"CAP_FLY\""},
      {{"create", "--cpu-shares", "-5", "busybox"}, "invalid CPU shares"},
      {{"start", "nope"}, "No such container: nope"},
      {{"stop", "nope"}, "No such container: nope"},
      {{"rm", "nope"}, "No such container: nope"},
      {{"logs", "nope"}, "No such container: nope"},
  };
  for (const auto& c : cases) {
    auto r = docker(c.args);
    EXPECT_NE(r.exit_code, 0) << c.args.front();
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args.front() << ": " << r.err;
  }
  EXPECT_TRUE(all_ids().empty());

  auto first = ok({"create", "--name", "taken", "busybox"});
  auto clash = docker({"create", "--name", "taken", "busybox"});
  EXPECT_NE(clash.err.find("Conflict. The container name \"/taken\" is already in use by "
                           "container \"" +
                           first + "\""),
            std::string::npos)
      << clash.err;
  EXPECT_EQ(all_ids().size(), 1U);

  // Malformed bodies through the raw API: 400 with a message, still nothing new.
  auto garbage = daemon_.curl({"-X", "POST", "-H", "Content-Type: application/json", "-d",
                               "{not json", "-w", "\n%{http_code}", "http://d/containers/create"});
  EXPECT_NE(garbage.out.find("\n400"), std::string::npos) << garbage.out;
  EXPECT_NE(garbage.out.find("\"message\""), std::string::npos) << garbage.out;
  auto typed = daemon_.curl({"-X", "POST", "-H", "Content-Type: application/json", "-d",
                             R"({"Image":"busybox","HostConfig":{"Memory":"lots"}})", "-w",
                             "\n%{http_code}", "http://d/containers/create"});
  EXPECT_NE(typed.out.find("\n400"), std::string::npos) << typed.out;
  auto ambiguous = daemon_.curl({"-w", "\n%{http_code}", "http://d/containers/x/json"});
  EXPECT_NE(ambiguous.out.find("\n404"), std::string::npos) << ambiguous.out;
  EXPECT_EQ(all_ids().size(), 1U);
}
