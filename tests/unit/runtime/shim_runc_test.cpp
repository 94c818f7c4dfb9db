// End-to-end tests of berth-shim with runc and a busybox bundle, through runtime/shim_client.
// They need root, runc and the static busybox (Debian's busybox-static); otherwise they skip.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/time.hpp"
#include "runtime/runtime_catalog.hpp"
#include "runtime/shim_client.hpp"

using namespace berth;
using namespace std::chrono_literals;

namespace {

constexpr const char* busybox = "/bin/busybox";

std::string slurp(const std::string& path) {
  std::ifstream in{path};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool process_gone(int pid) {
  auto status = slurp("/proc/" + std::to_string(pid) + "/status");
  return status.empty() || status.find("State:\tZ") != std::string::npos;
}

/// VmRSS of a process in kB (-1 when unknown).
long vm_rss_kb(int pid) {
  auto status = slurp("/proc/" + std::to_string(pid) + "/status");
  auto pos = status.find("VmRSS:");
  return pos == std::string::npos ? -1 : std::atol(status.c_str() + pos + 6);
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

/// Reads until `needle` shows up in what was read (an empty needle: until EOF), or `timeout`.
std::string read_until(int fd, const std::string& needle, std::chrono::milliseconds timeout = 20s) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  while (needle.empty() || out.find(needle) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string read_to_eof(int fd) {
  return read_until(fd, {});
}

struct frames {
  std::string out;
  std::string err;
  bool well_formed = true;
};

/// Splits Docker stdcopy frames.
frames demux(const std::string& bytes) {
  frames f;
  size_t pos = 0;
  while (pos < bytes.size()) {
    if (bytes.size() - pos < 8) {
      f.well_formed = false;
      break;
    }
    auto stream = static_cast<unsigned char>(bytes[pos]);
    uint32_t len = 0;
    for (int k = 4; k < 8; ++k)
      len = (len << 8) | static_cast<unsigned char>(bytes[pos + k]);
    if ((stream != 1 && stream != 2) || bytes[pos + 1] || bytes[pos + 2] || bytes[pos + 3] ||
        bytes.size() - pos - 8 < len || len == 0) {
      f.well_formed = false;
      break;
    }
    (stream == 1 ? f.out : f.err).append(bytes, pos + 8, len);
    pos += 8 + len;
  }
  return f;
}

struct container_spec {
  std::vector<std::string> args;
  bool tty = false;
  bool open_stdin = false;
  bool stdin_once = false;
  int rows = 0;
  int cols = 0;
  uint64_t log_max_size = 0;
  int log_max_files = 1;
  int64_t memory_limit = 0;
  int uid = 0;
};

class shim_runc : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    auto runc = runtime::find_executable("runc");
    if (!runc) GTEST_SKIP() << "needs runc";
    runc_ = *runc;
    if (::access(busybox, X_OK) != 0) GTEST_SKIP() << "needs " << busybox << " (busybox-static)";
    char tmpl[] = "/tmp/berth-shim-e2e-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    cgroup_parent_ = "berth-shim-test-" + std::to_string(::getpid());
    auto rootfs = dir_ + "/rootfs";
    ASSERT_EQ(std::system(("mkdir -p " + rootfs + "/bin " + rootfs + "/proc " + rootfs + "/dev " +
                           rootfs + "/tmp " + rootfs + "/etc && cp " + busybox + " " + rootfs +
                           "/bin/busybox")
                              .c_str()),
              0);
    for (auto applet : {"sh", "echo", "cat", "ls", "sleep", "stty", "head", "tr", "true", "id"})
      ASSERT_EQ(::symlink("busybox", (rootfs + "/bin/" + applet).c_str()), 0);
  }

  void TearDown() override {
    for (const auto& id : ids_) {
      auto state = dir_ + "/" + id + "/state";
      if (HasFailure()) std::cout << "--- " << id << " shim.log:\n" << slurp(state + "/shim.log");
      auto pid_text = slurp(state + "/shim.pid");
      if (!pid_text.empty()) {
        int pid = std::atoi(pid_text.c_str());
        if (pid > 0 && !process_gone(pid)) {
          ADD_FAILURE() << "shim " << pid << " of " << id << " still running; killing it";
          ::kill(pid, SIGKILL);
        }
      }
      auto cmd = runc_ + " --root " + dir_ + "/runc-root delete --force " + id + " 2>/dev/null";
      [[maybe_unused]] int rc = std::system(cmd.c_str());
    }
    remove_cgroups();
    if (!dir_.empty() && std::getenv("BERTH_TEST_KEEP") == nullptr) {
      auto cmd = "rm -rf " + dir_;
      EXPECT_EQ(std::system(cmd.c_str()), 0);
    }
  }

  /// rmdir /sys/fs/cgroup/<hierarchy>/berth-shim-test-<pid>[/<id>] in every hierarchy.
  void remove_cgroups() {
    if (cgroup_parent_.empty()) return;
    DIR* root = ::opendir("/sys/fs/cgroup");
    if (!root) return;
    while (auto* entry = ::readdir(root)) {
      std::string name = entry->d_name;
      if (name == "." || name == "..") continue;
      auto parent = "/sys/fs/cgroup/" + name + "/" + cgroup_parent_;
      for (const auto& id : ids_)
        ::rmdir((parent + "/" + id).c_str());
      ::rmdir(parent.c_str());
      if (::access(parent.c_str(), F_OK) == 0) ADD_FAILURE() << "could not remove " << parent;
    }
    ::closedir(root);
  }

  std::string state_dir(const std::string& id) const { return dir_ + "/" + id + "/state"; }
  std::string log_path(const std::string& id) const { return dir_ + "/" + id + "/log/json.log"; }

  /// Writes the bundle of `id` and returns the shim's launch description.
  runtime::shim_launch prepare(const std::string& id, const container_spec& spec) {
    ids_.push_back(id);
    auto bundle = dir_ + "/" + id;
    EXPECT_EQ(std::system(("mkdir -p " + bundle + "/log").c_str()), 0);
    nlohmann::json caps = {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER",     "CAP_FSETID",
                           "CAP_KILL",  "CAP_SETGID",       "CAP_SETUID",     "CAP_SETPCAP",
                           "CAP_MKNOD", "CAP_SYS_CHROOT",   "CAP_AUDIT_WRITE"};
    nlohmann::json config = {
        {"ociVersion", "1.0.2"},
        {"process",
         {{"terminal", spec.tty},
          {"user", {{"uid", spec.uid}, {"gid", spec.uid}}},
          {"args", spec.args},
          {"env", {"PATH=/bin", "TERM=xterm"}},
          {"cwd", "/"},
          // As Docker: a user that is not root has no effective capabilities (so no
          // CAP_DAC_OVERRIDE to open root's pipes with).
          {"capabilities",
           {{"bounding", caps},
            {"effective", spec.uid == 0 ? caps : nlohmann::json::array()},
            {"permitted", spec.uid == 0 ? caps : nlohmann::json::array()}}},
          {"noNewPrivileges", true}}},
        {"root", {{"path", dir_ + "/rootfs"}, {"readonly", false}}},
        {"hostname", "shimtest"},
        {"mounts",
         {{{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
          {{"destination", "/dev"},
           {"type", "tmpfs"},
           {"source", "tmpfs"},
           {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
          {{"destination", "/dev/pts"},
           {"type", "devpts"},
           {"source", "devpts"},
           {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}}}}},
        {"linux",
         {{"cgroupsPath", "/" + cgroup_parent_ + "/" + id},
          {"namespaces",
           {{{"type", "pid"}}, {{"type", "ipc"}}, {{"type", "uts"}}, {{"type", "mount"}}}}}}};
    if (spec.memory_limit > 0)
      config["linux"]["resources"] = {{"memory", {{"limit", spec.memory_limit}}}};
    std::ofstream{bundle + "/config.json"} << config.dump();

    runtime::shim_launch l;
    l.shim_binary = BERTH_SHIM_BINARY;
    l.id = id;
    l.bundle = bundle;
    l.runtime_path = runc_;
    l.runtime_root = dir_ + "/runc-root";
    l.state_dir = state_dir(id);
    l.log_path = log_path(id);
    l.log_max_size = spec.log_max_size;
    l.log_max_files = spec.log_max_files;
    l.tty = spec.tty;
    l.open_stdin = spec.open_stdin;
    l.stdin_once = spec.stdin_once;
    l.rows = spec.rows;
    l.cols = spec.cols;
    return l;
  }

  runtime::shim_started launch(const std::string& id, const container_spec& spec) {
    auto started = runtime::launch_shim(prepare(id, spec), 20s);
    EXPECT_TRUE(started) << error_message(started.error());
    if (!started) return {};
    EXPECT_GT(started->shim_pid, 0);
    EXPECT_GT(started->container_pid, 0);
    return *started;
  }

  /// Connects to the shim's attach socket and sends the header.
  int attach(const std::string& id, bool in, bool out, bool err) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    (state_dir(id) + "/attach.sock").copy(addr.sun_path, sizeof addr.sun_path - 1);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    auto header = runtime::attach_header(in, out, err);
    EXPECT_EQ(::write(fd, header.data(), header.size()), static_cast<ssize_t>(header.size()));
    return fd;
  }

  std::string command(const std::string& id, const std::string& cmd) {
    auto r = runtime::shim_command(state_dir(id), cmd, 20s);
    EXPECT_TRUE(r) << cmd << ": " << error_message(r.error());
    return r ? *r : std::string{};
  }

  runtime::shim_exit wait_exit(const std::string& id) {
    auto r = runtime::wait_shim_exit(state_dir(id), 30s);
    EXPECT_TRUE(r) << error_message(r.error());
    return r ? *r : runtime::shim_exit{};
  }

  /// After the exit: the shim goes away, its sockets and the runtime's state with it.
  void expect_cleaned_up(const std::string& id, int shim_pid) {
    EXPECT_TRUE(wait_until([&] { return process_gone(shim_pid); }, 10s));
    EXPECT_NE(::access((state_dir(id) + "/control.sock").c_str(), F_OK), 0);
    EXPECT_NE(::access((state_dir(id) + "/attach.sock").c_str(), F_OK), 0);
    EXPECT_NE(::access((dir_ + "/runc-root/" + id).c_str(), F_OK), 0);
    EXPECT_FALSE(runtime::shim_alive(state_dir(id)));
  }

  /// The json-file log's entries (each line checked to be Docker's format).
  std::vector<nlohmann::json> log_entries(const std::string& path) {
    std::vector<nlohmann::json> out;
    std::stringstream ss{slurp(path)};
    for (std::string line; std::getline(ss, line);) {
      auto entry = nlohmann::json::parse(line, nullptr, false);
      EXPECT_FALSE(entry.is_discarded()) << line;
      if (entry.is_discarded()) continue;
      EXPECT_TRUE(entry["log"].is_string()) << line;
      EXPECT_TRUE(entry["stream"] == "stdout" || entry["stream"] == "stderr") << line;
      auto time = parse_rfc3339(entry["time"].get<std::string>());
      EXPECT_TRUE(time.has_value()) << line;
      EXPECT_EQ(entry["time"].get<std::string>().back(), 'Z') << line;
      if (time) {
        EXPECT_NEAR(static_cast<double>(*time), static_cast<double>(unix_nanos_now()), 300e9);
      }
      out.push_back(std::move(entry));
    }
    return out;
  }

  std::string runc_;
  std::string dir_;
  std::string cgroup_parent_;
  std::vector<std::string> ids_;
};

} // namespace

TEST_F(shim_runc, output_exit_code_log_and_attach_frames) {
  auto s = launch("out", {.args = {"sh", "-c", "echo out; echo err >&2; echo out2; exit 3"}});
  ASSERT_GT(s.shim_pid, 0);
  EXPECT_EQ(command("out", "state"), "created " + std::to_string(s.container_pid));
  int client = attach("out", false, true, true);
  EXPECT_EQ(command("out", "start"), std::to_string(s.container_pid));
  auto exit = wait_exit("out");
  EXPECT_EQ(exit.exit_code, 3);
  EXPECT_FALSE(exit.oom_killed);
  EXPECT_EQ(exit.pid, s.container_pid);
  EXPECT_NEAR(static_cast<double>(exit.finished_at), static_cast<double>(unix_nanos_now()), 60e9);
  auto f = demux(read_to_eof(client));
  ::close(client);
  EXPECT_TRUE(f.well_formed);
  EXPECT_EQ(f.out, "out\nout2\n");
  EXPECT_EQ(f.err, "err\n");

  auto file = runtime::read_shim_exit(state_dir("out"));
  ASSERT_TRUE(file && file->has_value());
  EXPECT_EQ((*file)->exit_code, 3);
  auto entries = log_entries(log_path("out"));
  ASSERT_EQ(entries.size(), 3U);
  std::string out_text;
  for (const auto& e : entries) {
    if (e["stream"] == "stdout") {
      out_text += e["log"].get<std::string>();
    } else {
      EXPECT_EQ(e["log"], "err\n");
    }
  }
  EXPECT_EQ(out_text, "out\nout2\n");
  expect_cleaned_up("out", s.shim_pid);
}

TEST_F(shim_runc, a_missing_executable_fails_create_with_the_runtimes_message) {
  auto l = prepare("nosuch", {.args = {"nosuch"}});
  auto r = runtime::launch_shim(l, 20s);
  ASSERT_FALSE(r);
  EXPECT_EQ(error_kind(r.error()), errc::invalid_argument);
  EXPECT_NE(error_message(r.error()).find("exec: \"nosuch\": executable file not found in $PATH"),
            std::string::npos)
      << error_message(r.error());
  auto shim_pid = std::atoi(slurp(state_dir("nosuch") + "/shim.pid").c_str());
  ASSERT_GT(shim_pid, 0);
  expect_cleaned_up("nosuch", shim_pid);
}

TEST_F(shim_runc, stdin_once_ends_when_the_client_half_closes) {
  auto s = launch("cat", {.args = {"cat"}, .open_stdin = true, .stdin_once = true});
  ASSERT_GT(s.shim_pid, 0);
  int client = attach("cat", true, true, true);
  EXPECT_EQ(command("cat", "start"), std::to_string(s.container_pid));
  std::string input = "hello\nworld\n";
  ASSERT_EQ(::write(client, input.data(), input.size()), static_cast<ssize_t>(input.size()));
  ::shutdown(client, SHUT_WR);
  auto f = demux(read_to_eof(client));
  ::close(client);
  EXPECT_TRUE(f.well_formed);
  EXPECT_EQ(f.out, input);
  EXPECT_EQ(wait_exit("cat").exit_code, 0);
  expect_cleaned_up("cat", s.shim_pid);
}

TEST_F(shim_runc, tty_raw_output_and_resize) {
  auto s = launch("tty", {.args = {"sh", "-c", "stty size; read x; stty size"},
                          .tty = true,
                          .open_stdin = true,
                          .rows = 24,
                          .cols = 80});
  ASSERT_GT(s.shim_pid, 0);
  int client = attach("tty", true, true, true);
  EXPECT_EQ(command("tty", "start"), std::to_string(s.container_pid));
  auto first = read_until(client, "24 80\r\n");
  EXPECT_NE(first.find("24 80\r\n"), std::string::npos) << first;
  auto rss_kb = vm_rss_kb(s.shim_pid);
  std::cout << "[ info     ] berth-shim VmRSS with a TTY container and a client: " << rss_kb
            << " kB\n";
  EXPECT_LE(rss_kb, 1536);
  EXPECT_EQ(command("tty", "resize 33 111"), "");
  ASSERT_EQ(::write(client, "go\n", 3), 3);
  auto rest = read_to_eof(client);
  ::close(client);
  EXPECT_NE(rest.find("33 111\r\n"), std::string::npos) << rest;
  EXPECT_EQ(wait_exit("tty").exit_code, 0);
  std::string logged;
  for (const auto& e : log_entries(log_path("tty"))) {
    EXPECT_EQ(e["stream"], "stdout");
    logged += e["log"].get<std::string>();
  }
  EXPECT_NE(logged.find("24 80\r\n"), std::string::npos) << logged;
  EXPECT_NE(logged.find("33 111\r\n"), std::string::npos) << logged;
  expect_cleaned_up("tty", s.shim_pid);
}

TEST_F(shim_runc, kill_and_the_shims_memory) {
  auto s = launch("sleep", {.args = {"sleep", "100"}});
  ASSERT_GT(s.shim_pid, 0);
  EXPECT_EQ(command("sleep", "start"), std::to_string(s.container_pid));
  EXPECT_EQ(command("sleep", "state"), "running " + std::to_string(s.container_pid));
  auto rss_kb = vm_rss_kb(s.shim_pid);
  std::cout << "[ info     ] berth-shim VmRSS with a running container: " << rss_kb << " kB\n";
  EXPECT_LE(rss_kb, 1536);
  // A second shim in the same directory refuses to start (and leaves the first one alone).
  auto again = runtime::launch_shim(prepare("sleep", {.args = {"sleep", "100"}}), 20s);
  ASSERT_FALSE(again);
  EXPECT_NE(error_message(again.error()).find("already running"), std::string::npos)
      << error_message(again.error());
  EXPECT_EQ(command("sleep", "state"), "running " + std::to_string(s.container_pid));
  EXPECT_EQ(command("sleep", "kill 9"), "");
  auto exit = wait_exit("sleep");
  EXPECT_EQ(exit.exit_code, 137);
  expect_cleaned_up("sleep", s.shim_pid);
  auto after = runtime::shim_command(state_dir("sleep"), "kill 9", 2s);
  ASSERT_FALSE(after);
  EXPECT_EQ(error_kind(after.error()), errc::unavailable);

  // A process that handles SIGTERM exits its own way.
  auto t = launch("trap", {.args = {"sh", "-c",
                                    "trap 'echo bye; exit 7' TERM; echo ready; "
                                    "while true; do sleep 0.1; done"}});
  ASSERT_GT(t.shim_pid, 0);
  command("trap", "start");
  ASSERT_TRUE(
      wait_until([&] { return slurp(log_path("trap")).find("ready") != std::string::npos; }, 10s));
  EXPECT_EQ(command("trap", "kill 15"), "");
  EXPECT_EQ(wait_exit("trap").exit_code, 7);
  EXPECT_NE(slurp(log_path("trap")).find("bye"), std::string::npos);
  expect_cleaned_up("trap", t.shim_pid);
}

TEST_F(shim_runc, a_created_container_can_be_killed_without_starting) {
  auto s = launch("never", {.args = {"echo", "never printed"}});
  ASSERT_GT(s.shim_pid, 0);
  EXPECT_EQ(command("never", "state"), "created " + std::to_string(s.container_pid));
  EXPECT_EQ(command("never", "kill 9"), "");
  EXPECT_EQ(wait_exit("never").exit_code, 137);
  expect_cleaned_up("never", s.shim_pid);
  EXPECT_EQ(slurp(log_path("never")), "");
}

TEST_F(shim_runc, a_prepared_exec_killed_before_its_start_is_discarded) {
  auto s = launch("execs", {.args = {"sleep", "100"}});
  ASSERT_GT(s.shim_pid, 0);
  command("execs", "start");
  auto socket_of = [&](const std::string& id) {
    return state_dir("execs") + "/exec-" + id + ".sock";
  };
  // More than the shim's 256 exec places: each discarded exec gives its place back.
  for (int i = 0; i < 300; ++i) {
    char id[8];
    std::snprintf(id, sizeof id, "e%04x", i);
    ASSERT_EQ(command("execs", std::string("exec ") + id + " 0 0"), "") << id;
    ASSERT_EQ(::access(socket_of(id).c_str(), F_OK), 0) << id;
    ASSERT_EQ(command("execs", std::string("kill-exec ") + id + " 9"), "") << id;
    EXPECT_NE(::access(socket_of(id).c_str(), F_OK), 0) << id << ": its socket is still there";
  }
  // Recorded as killed by the signal; it can no longer be started.
  auto exit = runtime::parse_shim_exit(command("execs", "wait-exec e0000"));
  ASSERT_TRUE(exit) << error_message(exit.error());
  EXPECT_EQ(exit->exit_code, 137);
  auto start = runtime::shim_command(state_dir("execs"), "exec-start e0000", 5s);
  ASSERT_FALSE(start);
  EXPECT_EQ(error_kind(start.error()), errc::conflict) << error_message(start.error());
  EXPECT_EQ(command("execs", "state"), "running " + std::to_string(s.container_pid));
  EXPECT_EQ(command("execs", "kill 9"), "");
  EXPECT_EQ(wait_exit("execs").exit_code, 137);
  expect_cleaned_up("execs", s.shim_pid);
}

TEST_F(shim_runc, the_log_rotates) {
  auto s =
      launch("rotate",
             {.args = {"sh", "-c", "i=0; while [ $i -lt 300 ]; do echo line $i; i=$((i+1)); done"},
              .log_max_size = 2000,
              .log_max_files = 3});
  ASSERT_GT(s.shim_pid, 0);
  command("rotate", "start");
  EXPECT_EQ(wait_exit("rotate").exit_code, 0);
  auto path = log_path("rotate");
  EXPECT_NE(::access((path + ".3").c_str(), F_OK), 0);
  std::vector<nlohmann::json> all;
  for (const auto& file : {path + ".2", path + ".1", path}) {
    auto size = slurp(file).size();
    EXPECT_GT(size, 0U) << file;
    EXPECT_LE(size, 2000U) << file;
    auto entries = log_entries(file);
    all.insert(all.end(), entries.begin(), entries.end());
  }
  ASSERT_FALSE(all.empty());
  int expected = 300 - static_cast<int>(all.size());
  for (const auto& e : all)
    EXPECT_EQ(e["log"], "line " + std::to_string(expected++) + "\n");
  expect_cleaned_up("rotate", s.shim_pid);
}

TEST_F(shim_runc, a_client_that_never_reads_does_not_hold_the_container_up) {
  auto s = launch("flood", {.args = {"sh", "-c",
                                     "head -c 4000000 /dev/zero | tr '\\0' x; echo; "
                                     "echo done >&2; sleep 100"}});
  ASSERT_GT(s.shim_pid, 0);
  int client = attach("flood", false, true, true); // never read
  command("flood", "start");
  EXPECT_TRUE(wait_until(
      [&] { return slurp(log_path("flood")).find("\"done\\n\"") != std::string::npos; }, 30s));
  auto stats = command("flood", "stats");
  auto drops = std::atol(stats.c_str() + stats.find("drops=") + 6);
  std::cout << "[ info     ] stats: " << stats
            << "; shim VmRSS with a full client buffer: " << vm_rss_kb(s.shim_pid) << " kB\n";
  EXPECT_GT(drops, 0) << stats;
  EXPECT_EQ(command("flood", "kill 9"), "");
  EXPECT_EQ(wait_exit("flood").exit_code, 137);
  ::close(client);
  // Every byte reached the log.
  size_t xs = 0;
  for (const auto& e : log_entries(log_path("flood"))) {
    auto text = e["log"].get<std::string>();
    xs += static_cast<size_t>(std::count(text.begin(), text.end(), 'x'));
  }
  EXPECT_EQ(xs, 4000000U);
  expect_cleaned_up("flood", s.shim_pid);
}

TEST_F(shim_runc, the_shim_survives_the_process_that_started_it) {
  auto l = prepare("orphan", {.args = {"sh", "-c", "sleep 1; echo done; exit 5"}});
  int report[2];
  ASSERT_EQ(::pipe(report), 0);
  pid_t middle = ::fork();
  ASSERT_GE(middle, 0);
  if (middle == 0) {
    // The "daemon": launches and starts the container, then waits to be killed.
    ::close(report[0]);
    auto started = runtime::launch_shim(l, 20s);
    int pids[2] = {started ? started->shim_pid : -1, started ? started->container_pid : -1};
    if (started) [[maybe_unused]]
      auto r = runtime::shim_command(l.state_dir, "start", 20s);
    [[maybe_unused]] auto n = ::write(report[1], pids, sizeof pids);
    ::pause();
    ::_exit(0);
  }
  ::close(report[1]);
  int pids[2] = {-1, -1};
  ASSERT_EQ(::read(report[0], pids, sizeof pids), static_cast<ssize_t>(sizeof pids));
  ::close(report[0]);
  ASSERT_GT(pids[0], 0);
  ::kill(middle, SIGKILL);
  ASSERT_EQ(::waitpid(middle, nullptr, 0), middle);
  EXPECT_FALSE(process_gone(pids[0]));
  EXPECT_TRUE(runtime::shim_alive(state_dir("orphan")));
  auto exit = wait_exit("orphan");
  EXPECT_EQ(exit.exit_code, 5);
  EXPECT_EQ(exit.pid, pids[1]);
  auto file = runtime::read_shim_exit(state_dir("orphan"));
  ASSERT_TRUE(file && file->has_value());
  EXPECT_EQ((*file)->exit_code, 5);
  EXPECT_NE(slurp(log_path("orphan")).find("done"), std::string::npos);
  expect_cleaned_up("orphan", pids[0]);
}

TEST_F(shim_runc, the_container_inherits_only_its_stdio) {
  auto s = launch("fds", {.args = {"ls", "/proc/self/fd"}});
  ASSERT_GT(s.shim_pid, 0);
  command("fds", "start");
  EXPECT_EQ(wait_exit("fds").exit_code, 0);
  std::string listed;
  for (const auto& e : log_entries(log_path("fds")))
    listed += e["log"].get<std::string>();
  EXPECT_EQ(listed, "0\n1\n2\n3\n"); // 3: the directory ls is reading
  expect_cleaned_up("fds", s.shim_pid);
}

TEST_F(shim_runc, an_oom_kill_is_reported) {
  auto s = launch(
      "oom", {.args = {"sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived"},
              .memory_limit = 32 << 20});
  ASSERT_GT(s.shim_pid, 0);
  command("oom", "start");
  auto exit = wait_exit("oom");
  EXPECT_TRUE(exit.oom_killed) << "exit code " << exit.exit_code;
  expect_cleaned_up("oom", s.shim_pid);
}

TEST_F(shim_runc, sigterm_to_the_shim_kills_its_container) {
  auto s = launch("term", {.args = {"sleep", "100"}});
  ASSERT_GT(s.shim_pid, 0);
  command("term", "start");
  ASSERT_EQ(::kill(s.shim_pid, SIGTERM), 0);
  EXPECT_EQ(wait_exit("term").exit_code, 137);
  expect_cleaned_up("term", s.shim_pid);
}

TEST_F(shim_runc, a_user_that_is_not_root_can_reopen_its_stdio) {
  auto s =
      launch("user", {.args = {"sh", "-c", "id -u; echo out > /dev/stdout; echo err > /dev/stderr"},
                      .uid = 1000});
  ASSERT_GT(s.shim_pid, 0);
  command("user", "start");
  EXPECT_EQ(wait_exit("user").exit_code, 0);
  std::string out;
  std::string err;
  for (const auto& e : log_entries(log_path("user")))
    (e["stream"] == "stdout" ? out : err) += e["log"].get<std::string>();
  EXPECT_EQ(out, "1000\nout\n");
  EXPECT_EQ(err, "err\n");
  expect_cleaned_up("user", s.shim_pid);
}
