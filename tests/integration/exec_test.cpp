// Integration tests of docker exec with the real docker CLI against a real berthd: output and
// exit codes, stdin, user/workdir/env, detached execs, TTYs, errors like dockerd's, ExecIDs,
// events, and an exec that outlives a `kill -9` of the daemon under the container's shim.
#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <thread>

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

class exec : public daemon_test {
 protected:
  void SetUp() override {
    daemon_test::SetUp();
    ok({"run", "-d", "--name", "web", "busybox", "sh", "-c",
        "trap 'exit 0' TERM; while :; do sleep 0.1; done"});
  }

  // Polls (bounded) until `docker exec web test -e path` succeeds.
  bool file_appears(const std::string& path, std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (docker({"exec", "web", "test", "-e", path}).exit_code == 0) return true;
      std::this_thread::sleep_for(100ms); // nothing to wait on: the file is made inside
    }
    return false;
  }
};

} // namespace

TEST_F(exec, lists_the_root_and_passes_both_streams) {
  auto ls = docker({"exec", "web", "ls", "/"});
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_NE(ls.out.find("bin"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find("etc"), std::string::npos) << ls.out;
  auto both = docker({"exec", "web", "sh", "-c", "echo out; echo err >&2"});
  EXPECT_EQ(trim(both.out), "out");
  EXPECT_EQ(trim(both.err), "err");
}

TEST_F(exec, piped_stdin_reaches_the_process) {
  auto r = docker({"exec", "-i", "web", "cat"}, {.stdin_data = "hi\n"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hi\n");
  std::string big(300000, 'x');
  auto wc = docker({"exec", "-i", "web", "wc", "-c"}, {.stdin_data = big});
  EXPECT_EQ(trim(wc.out), std::to_string(big.size()));
}

TEST_F(exec, user_workdir_and_env) {
  auto r = docker(
      {"exec", "-u", "1000", "-w", "/tmp", "-e", "A=1", "web", "sh", "-c", "id -u; pwd; echo $A"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1000\n/tmp\n1\n");
  // The container's environment is there too, the exec's overrides it.
  auto env = docker({"exec", "-e", "HOSTNAME=mine", "web", "sh", "-c", "echo $PATH $HOSTNAME"});
  EXPECT_NE(env.out.find("/bin"), std::string::npos) << env.out;
  EXPECT_NE(env.out.find("mine"), std::string::npos) << env.out;
}

TEST_F(exec, exit_code_is_the_processes) {
  EXPECT_EQ(docker({"exec", "web", "sh", "-c", "exit 7"}).exit_code, 7);
  EXPECT_EQ(docker({"exec", "web", "true"}).exit_code, 0);
}

TEST_F(exec, detached_exec_runs_to_the_end) {
  ok({"exec", "-d", "web", "touch", "/x"});
  EXPECT_TRUE(file_appears("/x"));
}

TEST_F(exec, tty_exec_has_a_terminal_of_the_clients_size) {
  terminal term(daemon_.root, daemon_.docker_env(), "docker exec -it web sh");
  ASSERT_TRUE(term.shows("/ #")) << term.screen();
  term.type({"tty; stty size", "Enter"});
  EXPECT_TRUE(term.shows("/dev/pts/")) << term.screen();
  EXPECT_TRUE(term.shows("30 120")) << term.screen();
  term.type({"exit 3", "Enter"});
  EXPECT_TRUE(term.shows_exit(3)) << term.screen();
  // Without -t there is no terminal.
  EXPECT_EQ(docker({"exec", "web", "tty"}).exit_code, 1);
}

TEST_F(exec, stopped_container_is_refused_with_409) {
  ok({"run", "--name", "done", "busybox", "true"});
  auto r = docker({"exec", "done", "ls"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("is not running"), std::string::npos) << r.err;
  auto raw = daemon_.curl({"-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H",
                           "Content-Type: application/json", "-d", R"({"Cmd":["ls"]})",
                           "http://d/containers/done/exec"});
  EXPECT_EQ(raw.out, "409");
  auto missing = daemon_.curl({"-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H",
                               "Content-Type: application/json", "-d", R"({"Cmd":["ls"]})",
                               "http://d/containers/nosuch/exec"});
  EXPECT_EQ(missing.out, "404");
}

TEST_F(exec, missing_command_fails_like_dockerd) {
  auto r = docker({"exec", "web", "nosuchcommand"});
  EXPECT_EQ(r.exit_code, 127) << r.out << r.err;
  auto text = r.out + r.err;
  EXPECT_NE(text.find("OCI runtime exec failed"), std::string::npos) << text;
  EXPECT_NE(text.find("executable file not found"), std::string::npos) << text;
}

TEST_F(exec, inspect_shows_the_exec_and_its_container_lists_it) {
  auto created = daemon_.curl({"-s", "-X", "POST", "-H", "Content-Type: application/json", "-d",
                               R"({"Cmd":["sh","-c","exit 4"],"AttachStdout":true})",
                               "http://d/containers/web/exec"});
  auto id = json::parse(created.out, nullptr, false).value("Id", "");
  ASSERT_EQ(id.size(), 64U) << created.out;
  auto before = json::parse(daemon_.curl({"-s", "http://d/exec/" + id + "/json"}).out);
  EXPECT_EQ(before["Running"], false);
  EXPECT_TRUE(before["ExitCode"].is_null());
  EXPECT_EQ(before["ProcessConfig"]["entrypoint"], "sh");
  EXPECT_EQ(before["ProcessConfig"]["arguments"], (json{"-c", "exit 4"}));
  EXPECT_EQ(before["ContainerID"], inspect("web")["Id"]);
  auto ids = inspect("web")["ExecIDs"];
  ASSERT_TRUE(ids.is_array());
  EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end());
  auto start = daemon_.curl({"-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H",
                             "Content-Type: application/json", "-d", R"({"Detach":true})",
                             "http://d/exec/" + id + "/start"});
  EXPECT_EQ(start.out, "200");
  json after;
  for (int i = 0; i < 100; ++i) {
    after = json::parse(daemon_.curl({"-s", "http://d/exec/" + id + "/json"}).out);
    if (!after["ExitCode"].is_null()) break;
    std::this_thread::sleep_for(50ms); // the exec ends on its own; no event on this API
  }
  EXPECT_EQ(after["ExitCode"], 4);
  EXPECT_EQ(after["Running"], false);
  EXPECT_GT(after["Pid"].get<int>(), 0);
  auto none =
      daemon_.curl({"-s", "-o", "/dev/null", "-w", "%{http_code}", "http://d/exec/abc/json"});
  EXPECT_EQ(none.out, "404");
}

TEST_F(exec, emits_dockers_events) {
  background_process events({"docker", "events", "--since", unix_now(), "--filter",
                             "type=container", "--format",
                             "{{.Action}} {{index .Actor.Attributes \"exitCode\"}}"},
                            daemon_.docker_env());
  EXPECT_EQ(docker({"exec", "web", "sh", "-c", "exit 2"}).exit_code, 2);
  // The container's own create and start may fall in the same second: only exec events count.
  std::vector<std::string> seen;
  for (int i = 0; i < 8 && seen.size() < 3; ++i) {
    auto line = trim(events.read_line(10s).value_or("<none>"));
    if (line.rfind("exec_", 0) == 0 || line == "<none>") seen.push_back(line);
  }
  ASSERT_EQ(seen.size(), 3U);
  EXPECT_EQ(seen[0], "exec_create: sh -c exit 2");
  EXPECT_EQ(seen[1], "exec_start: sh -c exit 2");
  EXPECT_EQ(seen[2], "exec_die 2");
}

TEST_F(exec, exec_survives_kill_9_of_the_daemon) {
  ok({"exec", "-d", "web", "sleep", "30"});
  int init = inspect("web")["State"]["Pid"];
  // busybox ps in the container's PID namespace lists the container's processes.
  auto sleeping = [&] {
    return docker({"exec", "web", "ps", "-o", "args"}).out.find("sleep 30") != std::string::npos;
  };
  bool seen = false;
  for (int i = 0; i < 50 && !(seen = sleeping()); ++i)
    std::this_thread::sleep_for(100ms); // the detached exec starts on its own
  ASSERT_TRUE(seen);
  daemon_.kill9();
  ASSERT_TRUE(daemon_.start()) << daemon_.start_error();
  EXPECT_TRUE(sleeping());
  EXPECT_EQ(inspect("web")["State"]["Pid"], init);
  // The container still takes new execs.
  EXPECT_EQ(trim(ok({"exec", "web", "echo", "back"})), "back");
}
