// Tests runtime/shim_client without a runtime: exit JSON, attach headers, control replies from a
// fake shim socket, and launch_shim against fake shim scripts.
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "runtime/shim_client.hpp"

using namespace berth;
using namespace std::chrono_literals;

namespace {

class shim_client : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-shim-client-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override {
    std::string cmd = "rm -rf " + dir_;
    EXPECT_EQ(std::system(cmd.c_str()), 0);
  }

  void write_file(const std::string& name, const std::string& text, mode_t mode = 0644) {
    std::ofstream out{dir_ + "/" + name};
    out << text;
    out.close();
    ::chmod((dir_ + "/" + name).c_str(), mode);
  }

  /// Serves one connection on <dir>/control.sock: reads a line, answers `reply` verbatim.
  std::thread fake_shim(std::string reply, std::string* received) {
    int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    auto path = dir_ + "/control.sock";
    path.copy(addr.sun_path, sizeof addr.sun_path - 1);
    EXPECT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listener, 4), 0);
    return std::thread{[listener, reply, received] {
      int conn = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      std::string line;
      char c;
      while (::read(conn, &c, 1) == 1 && c != '\n')
        line += c;
      *received = line;
      EXPECT_EQ(::write(conn, reply.data(), reply.size()), static_cast<ssize_t>(reply.size()));
      ::close(conn);
      ::close(listener);
    }};
  }

  runtime::shim_launch fake_launch(const std::string& script) {
    write_file("fake-shim", "#!/bin/sh\n" + script, 0755);
    runtime::shim_launch l;
    l.shim_binary = dir_ + "/fake-shim";
    l.id = "c1";
    l.bundle = dir_;
    l.runtime_path = "/bin/false";
    l.runtime_root = dir_ + "/root";
    l.state_dir = dir_ + "/state";
    return l;
  }

  std::string dir_;
};

} // namespace

TEST(shim_client_format, attach_header) {
  EXPECT_EQ(runtime::attach_header(true, true, false), "attach stdin=1 stdout=1 stderr=0\n");
  EXPECT_EQ(runtime::attach_header(false, false, true), "attach stdin=0 stdout=0 stderr=1\n");
}

TEST(shim_client_format, parses_exit_json) {
  auto exit = runtime::parse_shim_exit(
      R"({"exit_code":137,"oom_killed":true,"finished_at":1764288000123456789,"pid":42})");
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->exit_code, 137);
  EXPECT_TRUE(exit->oom_killed);
  EXPECT_EQ(exit->finished_at, 1764288000123456789);
  EXPECT_EQ(exit->pid, 42);
  auto minimal = runtime::parse_shim_exit(R"({"exit_code":0})");
  ASSERT_TRUE(minimal);
  EXPECT_FALSE(minimal->oom_killed);
  for (auto bad : {"", "[]", "{}", R"({"exit_code":"3"})", R"({"exit_code":3,"oom_killed":1})",
                   R"({"exit_code":3,"pid":"x"})", "{\"exit_code\":3"}) {
    auto r = runtime::parse_shim_exit(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(error_kind(r.error()), errc::invalid_argument);
  }
}

TEST_F(shim_client, reads_the_exit_file) {
  auto none = runtime::read_shim_exit(dir_);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  write_file("exit.json", R"({"exit_code":3,"oom_killed":false,"finished_at":1,"pid":7})"
                          "\n");
  auto some = runtime::read_shim_exit(dir_);
  ASSERT_TRUE(some);
  ASSERT_TRUE(some->has_value());
  EXPECT_EQ((*some)->exit_code, 3);
  write_file("exit.json", "garbage");
  EXPECT_FALSE(runtime::read_shim_exit(dir_));
}

TEST_F(shim_client, maps_replies) {
  struct {
    const char* reply;
    bool ok;
    std::string payload;
    errc kind;
  } cases[] = {
      {"ok\n", true, "", errc::internal},
      {"ok running 42\n", true, "running 42", errc::internal},
      {"error conflict container is not running\n", false, "container is not running",
       errc::conflict},
      {"error invalid unknown command\n", false, "unknown command", errc::invalid_argument},
      {"error system kill: No such process\n", false, "kill: No such process", errc::system},
      {"", false, "", errc::unavailable},
  };
  for (const auto& c : cases) {
    std::string received;
    auto server = fake_shim(c.reply, &received);
    auto r = runtime::shim_command(dir_, "kill 9", 2s);
    server.join();
    EXPECT_EQ(received, "kill 9");
    ASSERT_EQ(static_cast<bool>(r), c.ok) << c.reply;
    if (c.ok) {
      EXPECT_EQ(*r, c.payload);
    } else {
      EXPECT_EQ(error_kind(r.error()), c.kind) << c.reply;
      if (!c.payload.empty()) {
        EXPECT_EQ(error_message(r.error()), c.payload);
      }
    }
    ::unlink((dir_ + "/control.sock").c_str());
  }
  auto gone = runtime::shim_command(dir_, "state", 1s);
  ASSERT_FALSE(gone);
  EXPECT_EQ(error_kind(gone.error()), errc::unavailable);
  EXPECT_FALSE(runtime::shim_alive(dir_));
}

TEST_F(shim_client, command_times_out_when_the_shim_does_not_answer) {
  int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  (dir_ + "/control.sock").copy(addr.sun_path, sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  auto start = std::chrono::steady_clock::now();
  auto r = runtime::shim_command(dir_, "wait", 200ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(error_kind(r.error()), errc::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  ::close(listener);
}

TEST_F(shim_client, long_state_dir_paths_still_connect) {
  auto deep = dir_ + "/" + std::string(60, 'd') + "/" + std::string(60, 'e');
  ASSERT_EQ(std::system(("mkdir -p " + deep).c_str()), 0);
  auto saved = dir_;
  dir_ = deep; // fake_shim binds through a relative path below
  ASSERT_EQ(::chdir(deep.c_str()), 0);
  int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string("control.sock").copy(addr.sun_path, sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  ASSERT_EQ(::chdir("/"), 0);
  dir_ = saved;
  std::thread server{[listener] {
    int conn = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    char buf[64];
    EXPECT_GT(::read(conn, buf, sizeof buf), 0);
    EXPECT_EQ(::write(conn, "ok created 1\n", 13), 13);
    ::close(conn);
  }};
  auto r = runtime::shim_command(deep, "state", 2s);
  server.join();
  ::close(listener);
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(*r, "created 1");
}

TEST_F(shim_client, launch_reports_the_shims_sync_line) {
  // A shim that reports like the real one: shim.pid, then the sync line.
  auto ok = fake_launch(R"sh(state=
while [ $# -gt 0 ]; do [ "$1" = --state-dir ] && state=$2; shift; done
echo 4242 > "$state/shim.pid"
echo "created 77" >&3
)sh");
  auto started = runtime::launch_shim(ok, 5s);
  ASSERT_TRUE(started) << error_message(started.error());
  EXPECT_EQ(started->container_pid, 77);
  EXPECT_EQ(started->shim_pid, 4242);
  struct stat st {};
  ASSERT_EQ(::stat(ok.state_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700U);

  auto missing = fake_launch(
      R"sh(echo 'error runc create failed: unable to start container process: exec: "nosuch": executable file not found in $PATH' >&3)sh");
  auto r = runtime::launch_shim(missing, 5s);
  ASSERT_FALSE(r);
  EXPECT_EQ(error_kind(r.error()), errc::invalid_argument);
  EXPECT_EQ(error_message(r.error()), "runc create failed: unable to start container process: "
                                      "exec: \"nosuch\": executable file not found in $PATH");

  auto other = fake_launch("echo 'error cgroup: something broke' >&3\n");
  r = runtime::launch_shim(other, 5s);
  ASSERT_FALSE(r);
  EXPECT_EQ(error_kind(r.error()), errc::system);

  auto silent = fake_launch("exit 1\n");
  r = runtime::launch_shim(silent, 5s);
  ASSERT_FALSE(r);
  EXPECT_EQ(error_kind(r.error()), errc::system);

  // The launched process exits but its child keeps the pipe open without reporting.
  auto slow = fake_launch("(sleep 3 <&- >&- ) &\nexit 0\n");
  auto start = std::chrono::steady_clock::now();
  r = runtime::launch_shim(slow, 300ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(error_kind(r.error()), errc::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);

  auto nobinary = ok;
  nobinary.shim_binary = dir_ + "/no-such-shim";
  EXPECT_FALSE(runtime::launch_shim(nobinary, 1s));
}

TEST_F(shim_client, wait_falls_back_to_the_exit_file_when_the_shim_is_gone) {
  auto lost = runtime::wait_shim_exit(dir_, 1s);
  ASSERT_FALSE(lost);
  EXPECT_EQ(error_kind(lost.error()), errc::unavailable);
  write_file("exit.json", R"({"exit_code":4,"oom_killed":false,"finished_at":1,"pid":7})");
  auto recorded = runtime::wait_shim_exit(dir_, 1s);
  ASSERT_TRUE(recorded) << error_message(recorded.error());
  EXPECT_EQ(recorded->exit_code, 4);
}
