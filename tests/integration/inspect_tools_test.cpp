// Integration tests of the tools that look into and change a container, with the real docker CLI
// against a real berthd: top, pause/unpause, update, export, diff, and their bad input.
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon_test.hpp"
#include "test_text.hpp"

using namespace berth::test;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::string counter =
    "trap 'exit 0' TERM; i=0; while :; do i=$((i+1)); echo $i; echo $i > /tmp/c; sleep 0.1; done";

class inspect_tools : public daemon_test {
 protected:
  size_t log_lines(const std::string& name) { return lines_of(ok({"logs", name})).size(); }

  std::string memory_cgroup(const std::string& id) const {
    return "/sys/fs/cgroup/memory" + daemon_.cgroup_parent + "/" + id;
  }

  static std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::string s;
    std::getline(in, s);
    return s;
  }
};

TEST_F(inspect_tools, top_shows_the_containers_processes_only) {
  ok({"run", "-d", "--name", "t1", "busybox", "sleep", "1234"});
  ok({"run", "-d", "--name", "t2", "busybox", "sleep", "5678"});
  auto out = ok({"top", "t1"});
  EXPECT_NE(out.find("sleep 1234"), std::string::npos) << out;
  EXPECT_EQ(out.find("sleep 5678"), std::string::npos) << out;
  EXPECT_NE(out.find("PID"), std::string::npos);
  auto custom = ok({"top", "t1", "-o", "pid,comm"});
  EXPECT_NE(custom.find("COMMAND"), std::string::npos) << custom;
  ok({"rm", "-f", "t1", "t2"});
}

TEST_F(inspect_tools, pause_freezes_and_unpause_resumes) {
  ok({"run", "-d", "--name", "ctr", "busybox", "sh", "-c", counter});
  std::this_thread::sleep_for(500ms);
  ok({"pause", "ctr"});
  EXPECT_NE(ok({"ps", "--filter", "name=ctr"}).find("(Paused)"), std::string::npos);
  EXPECT_TRUE(inspect("ctr")["State"]["Paused"].get<bool>());
  EXPECT_EQ(inspect("ctr")["State"]["Status"], "paused");
  auto frozen = log_lines("ctr");
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(log_lines("ctr"), frozen);
  auto again = docker({"pause", "ctr"});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("is already paused"), std::string::npos) << again.err;
  ok({"unpause", "ctr"});
  std::this_thread::sleep_for(1s);
  EXPECT_GT(log_lines("ctr"), frozen);
  auto not_paused = docker({"unpause", "ctr"});
  EXPECT_NE(not_paused.err.find("is not paused"), std::string::npos) << not_paused.err;
  ok({"pause", "ctr"});
  auto stop = docker({"stop", "-t", "5", "ctr"}, {.timeout = 30s});
  EXPECT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_EQ(inspect("ctr")["State"]["Status"], "exited");
  auto stopped = docker({"pause", "ctr"});
  EXPECT_NE(stopped.exit_code, 0);
  EXPECT_NE(stopped.err.find("is not running"), std::string::npos) << stopped.err;
}

TEST_F(inspect_tools, update_memory_live_and_restart_policy) {
  auto id = ok({"run", "-d", "--name", "upd", "busybox", "sleep", "1000"});
  ok({"update", "--memory", "64m", "--memory-swap", "128m", "upd"});
  auto c = inspect("upd");
  EXPECT_EQ(c["HostConfig"]["Memory"], 64 << 20);
  EXPECT_EQ(c["HostConfig"]["MemorySwap"], 128 << 20);
  EXPECT_EQ(read_text(memory_cgroup(id) + "/memory.limit_in_bytes"), std::to_string(64 << 20));
  ok({"update", "--restart", "on-failure:3", "upd"});
  c = inspect("upd");
  EXPECT_EQ(c["HostConfig"]["RestartPolicy"]["Name"], "on-failure");
  EXPECT_EQ(c["HostConfig"]["RestartPolicy"]["MaximumRetryCount"], 3);
  auto small = docker({"update", "--memory", "1k", "upd"});
  EXPECT_NE(small.exit_code, 0);
  EXPECT_NE(small.err.find("Minimum memory limit allowed is 6MB"), std::string::npos) << small.err;
  auto missing = docker({"update", "--memory", "64m", "nosuch"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("No such container"), std::string::npos) << missing.err;
  ok({"rm", "-f", "upd"});
}

TEST_F(inspect_tools, export_and_diff) {
  ok({"run", "--name", "exp", "busybox", "sh", "-c",
      "touch /x; mkdir /d; rm /etc/passwd; echo made > /made"});
  auto diff = lines_of(ok({"diff", "exp"}));
  auto has = [&](const std::string& line) {
    return std::find(diff.begin(), diff.end(), line) != diff.end();
  };
  EXPECT_TRUE(has("A /x")) << ok({"diff", "exp"});
  EXPECT_TRUE(has("A /d"));
  EXPECT_TRUE(has("C /etc"));
  EXPECT_TRUE(has("D /etc/passwd"));
  EXPECT_EQ(diff.size(), 5U) << ok({"diff", "exp"}); // and nothing of the runtime's /etc files
  // A container that changed nothing shows nothing (dockerd's init layer holds the mount targets).
  ok({"run", "--name", "still", "busybox", "true"});
  EXPECT_EQ(ok({"diff", "still"}), "");
  // Stopped: the export mounts the container's layers itself.
  auto r =
      berth::test::run({"sh", "-c", "docker export exp | tar t"}, {.env = daemon_.docker_env()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto names = lines_of(r.out);
  auto listed = [&](const std::string& n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  EXPECT_TRUE(listed("bin/busybox"));
  EXPECT_TRUE(listed("made"));
  EXPECT_FALSE(listed("etc/passwd"));
  // Running: from its own mount.
  ok({"run", "-d", "--name", "e2", "busybox", "sh", "-c", "echo hi > /running; sleep 1000"});
  std::this_thread::sleep_for(300ms);
  auto running =
      berth::test::run({"sh", "-c", "docker export e2 | tar t"}, {.env = daemon_.docker_env()});
  EXPECT_NE(running.out.find("running"), std::string::npos);
  ok({"rm", "-f", "exp", "e2"});
}

} // namespace
