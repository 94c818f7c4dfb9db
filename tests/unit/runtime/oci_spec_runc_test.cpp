// Runs specs from runtime/oci_spec with the real runc on a busybox root filesystem: identity,
// capabilities, rlimits, hostname, devices, seccomp, read-only root, users, privileged mode,
// cgroup limits and a pinned network namespace. Skipped unless root with runc and a static
// busybox available.
#include <cstdio>
#include <dirent.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "runtime/container_config.hpp"
#include "runtime/container_files.hpp"
#include "runtime/oci_spec.hpp"
#include "runtime/runtime_catalog.hpp"
#include "runtime/user_lookup.hpp"

using namespace berth;
using namespace berth::runtime;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

const char* busybox_path = "/bin/busybox";
const char* tini_path = "/usr/bin/tini-static";

struct run_result {
  int status = -1; ///< exit code, or -1 when runc could not be run
  std::string output;
};

/// Runs `argv` with stdin from /dev/null and stdout+stderr captured.
run_result run_command(const std::vector<std::string>& argv) {
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, 0);
    ::dup2(pipefd[1], 1);
    ::dup2(pipefd[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(pipefd[1]);
  run_result r;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(pipefd[0], buf, sizeof buf)) > 0)
    r.output.append(buf, static_cast<size_t>(n));
  ::close(pipefd[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

/// A busybox bundle and runc state directory, removed with every cgroup runc made.
class runc_test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!find_executable("runc")) GTEST_SKIP() << "runc is not installed";
    if (!fs::exists(busybox_path)) GTEST_SKIP() << "busybox-static is not installed";
    char tmpl[] = "/tmp/berth-runc-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    parent_ = "/berth-test-" + std::to_string(::getpid());
    rootfs_ = dir_ / "bundle" / "rootfs";
    for (const char* d : {"bin", "etc", "proc", "sys", "dev", "tmp", "root", "home/user", "sbin"})
      fs::create_directories(rootfs_ / d);
    fs::permissions(rootfs_ / "tmp", fs::perms::all | fs::perms::sticky_bit);
    fs::copy_file(busybox_path, rootfs_ / "bin/busybox");
    for (const char* applet :
         {"sh", "ls", "cat", "id", "echo", "grep", "unshare", "mount", "touch", "hostname", "ping",
          "ps", "ulimit", "true", "ifconfig", "sleep", "head", "tr", "wc"})
      fs::create_symlink("busybox", rootfs_ / "bin" / applet);
    std::ofstream(rootfs_ / "etc/passwd") << "root:x:0:0:root:/root:/bin/sh\n"
                                             "user:x:1000:1000:user:/home/user:/bin/sh\n";
    std::ofstream(rootfs_ / "etc/group") << "root:x:0:\nwheel:x:10:root\nuser:x:1000:\n";
    fs::create_directories(dir_ / "files");
    std::ofstream(dir_ / "files/hostname") << hostname_file("berthtest");
    std::ofstream(dir_ / "files/hosts") << hosts_file("berthtest", "", "", {"extra:10.1.2.3"}, "");
    std::ofstream(dir_ / "files/resolv.conf")
        << resolv_conf_file("nameserver 127.0.0.53\n", false, {}, {}, {});
  }

  void TearDown() override {
    if (dir_.empty()) return;
    for (const auto& id : ids_)
      (void)run_command({"runc", "--root", (dir_ / "state").string(), "delete", "-f", id});
    remove_cgroups();
    if (!netns_.empty()) ::umount2(netns_.c_str(), MNT_DETACH);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  /// Removes <hierarchy>/<parent>/<id> and <hierarchy>/<parent> in every cgroup hierarchy.
  void remove_cgroups() {
    std::error_code ec;
    for (const auto& h : fs::directory_iterator("/sys/fs/cgroup", ec)) {
      auto parent = h.path() / parent_.substr(1);
      if (!fs::is_directory(parent)) continue;
      for (const auto& id : ids_)
        ::rmdir((parent / id).c_str());
      ::rmdir(parent.c_str());
    }
  }

  /// A default container running `args` with the host network.
  spec_inputs inputs(std::vector<std::string> args) {
    spec_inputs in;
    in.container_id = "berth-test-" + std::to_string(::getpid()) + "-" + std::to_string(next_++);
    in.config.image = "busybox";
    in.config.cmd = std::move(args);
    in.rootfs = rootfs_.string();
    in.hostname = "berthtest";
    in.hosts_path = (dir_ / "files/hosts").string();
    in.hostname_path = (dir_ / "files/hostname").string();
    in.resolv_conf_path = (dir_ / "files/resolv.conf").string();
    in.netns.what = network_namespace::kind::host;
    in.host.network_mode = "host";
    in.init_path = tini_path;
    in.defaults.cgroup_parent = parent_;
    in.defaults.nofile = default_nofile_limit();
    in.cgroup_v2 = false;
    in.swap_accounting = fs::exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes");
    auto user = resolve_user(in.rootfs, "", {});
    EXPECT_TRUE(user);
    if (user) in.user = *user;
    return in;
  }

  /// Writes the spec and runs it in the foreground with runc.
  run_result run_spec(const spec_inputs& in) {
    auto spec = make_oci_spec(in);
    EXPECT_TRUE(spec) << error_message(spec.error());
    if (!spec) return {};
    auto bundle = dir_ / "bundle";
    std::ofstream(bundle / "config.json") << spec->dump(2);
    ids_.push_back(in.container_id);
    auto r = run_command({"timeout", "60", "runc", "--root", (dir_ / "state").string(), "run",
                          "--bundle", bundle.string(), in.container_id});
    return r;
  }

  run_result run(std::vector<std::string> args,
                 const std::function<void(spec_inputs&)>& tweak = nullptr) {
    auto in = inputs(std::move(args));
    if (tweak) tweak(in);
    return run_spec(in);
  }

  /// A network namespace pinned on a file (like the network manager does).
  std::string pinned_netns() {
    netns_ = (dir_ / "netns").string();
    std::ofstream(netns_).close();
    auto r = run_command({"unshare", "--net=" + netns_, "true"});
    EXPECT_EQ(r.status, 0) << r.output;
    return netns_;
  }

  fs::path dir_;
  fs::path rootfs_;
  std::string parent_;
  std::string netns_;
  std::vector<std::string> ids_;
  int next_ = 0;
};

/// The hex capability mask /proc/<pid>/status prints for `caps`.
std::string cap_mask(const std::vector<std::string>& caps) {
  uint64_t mask = 0;
  const auto& all = all_capabilities();
  for (const auto& c : caps) {
    auto it = std::find(all.begin(), all.end(), c);
    if (it != all.end()) mask |= uint64_t{1} << (it - all.begin());
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(mask));
  return buf;
}

std::string status_line(const std::string& status, const std::string& key) {
  auto pos = status.find(key + ":\t");
  if (pos == std::string::npos) return "(missing " + key + ")";
  auto start = pos + key.size() + 2;
  return status.substr(start, status.find('\n', start) - start);
}

} // namespace

TEST_F(runc_test, default_container_identity_and_limits) {
  auto r = run({"id"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "uid=0(root) gid=0(root) groups=0(root),10(wheel)\n");

  r = run({"cat", "/proc/self/status"});
  ASSERT_EQ(r.status, 0) << r.output;
  auto want = cap_mask(default_capabilities());
  EXPECT_EQ(want, "00000000a80425fb"); // Docker's well-known default mask
  EXPECT_EQ(status_line(r.output, "CapBnd"), want);
  EXPECT_EQ(status_line(r.output, "CapEff"), want);
  EXPECT_EQ(status_line(r.output, "CapPrm"), want);
  EXPECT_EQ(status_line(r.output, "CapInh"), "0000000000000000");
  EXPECT_EQ(status_line(r.output, "Seccomp"), "2");
  EXPECT_EQ(status_line(r.output, "NoNewPrivs"), "0");

  // 1048576 like Docker 25+, unless this process may not raise its own limit that far.
  r = run({"sh", "-c", "ulimit -n; ulimit -Hn"});
  ASSERT_EQ(r.status, 0) << r.output;
  auto nofile = std::to_string(default_nofile_limit());
  EXPECT_EQ(r.output, nofile + "\n" + nofile + "\n");
  r = run({"sh", "-c", "ulimit -n; ulimit -Hn"}, [](spec_inputs& in) {
    in.host.ulimits = {{"nofile", 512, 1024}};
  });
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "512\n1024\n");

  r = run({"sh", "-c",
           "cat /etc/hostname; hostname; grep extra /etc/hosts; echo $HOME $HOSTNAME; pwd"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "berthtest\nberthtest\n10.1.2.3\textra\n/root berthtest\n/\n");

  r = run({"ls", "/dev"});
  ASSERT_EQ(r.status, 0) << r.output;
  for (const char* dev :
       {"null", "zero", "full", "random", "urandom", "tty", "pts", "shm", "mqueue", "ptmx"})
    EXPECT_NE(r.output.find(std::string(dev) + "\n"), std::string::npos) << dev << "\n" << r.output;

  // Masked and read-only paths, /sys read-only.
  // (everything to stdout: stdout and stderr are read from separate pipes, in no set order)
  r = run({"sh", "-c",
           "exec 2>&1; wc -c < /proc/interrupts; touch /sys/x; echo > /proc/sys/kernel/hostname; "
           "exit 1"});
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(r.output.rfind("0\n", 0), 0u) << r.output; // masked: reads as empty
  EXPECT_NE(r.output.find("touch: /sys/x: Read-only file system"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Read-only file system", r.output.find("/sys/x") + 30), std::string::npos)
      << r.output;
}

TEST_F(runc_test, seccomp_blocks_namespace_and_mount_calls) {
  auto r = run({"unshare", "-U", "true"});
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("Operation not permitted"), std::string::npos) << r.output;
  r = run({"mount", "-t", "tmpfs", "none", "/tmp"});
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("permission denied"), std::string::npos) << r.output; // EPERM
  // ping's raw socket (CAP_NET_RAW, allowed by the socket rule), on loopback only.
  r = run({"ping", "-c", "1", "-W", "2", "127.0.0.1"});
  EXPECT_EQ(r.status, 0) << r.output;
  // Forking shells and pipes work (clone without namespace flags, clone3 → ENOSYS fallback).
  r = run({"sh", "-c", "echo a | cat | grep a && (sleep 0; echo sub)"});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "a\nsub\n");
  // Without the filter, unprivileged user namespaces are possible again.
  r = run({"sh", "-c", "grep Seccomp: /proc/self/status; unshare -U true && echo unshared"},
          [](spec_inputs& in) { in.host.security_opt = {"seccomp=unconfined"}; });
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "Seccomp:\t0\nunshared\n");
}

TEST_F(runc_test, read_only_rootfs_and_binds) {
  auto r =
      run({"sh", "-c", "touch /x; touch /dev/shm/ok && echo shm-ok; touch /run/ok && echo run-ok"},
          [](spec_inputs& in) {
            in.host.readonly_rootfs = true;
            in.host.tmpfs = {{"/run", "size=1m"}};
          });
  EXPECT_NE(r.output.find("touch: /x: Read-only file system"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("shm-ok\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("run-ok\n"), std::string::npos) << r.output;
  // -v <dir>:/data:ro (rro) and -v <dir>:/rw.
  auto shared = dir_ / "shared";
  fs::create_directories(shared);
  r = run({"sh", "-c", "cat /data/file; touch /data/new; touch /rw/new && echo rw-ok"},
          [&](spec_inputs& in) {
            std::ofstream(shared / "file") << "from host\n";
            in.host.binds = {shared.string() + ":/data:ro", shared.string() + ":/rw"};
          });
  EXPECT_NE(r.output.find("from host\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("touch: /data/new: Read-only file system"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("rw-ok\n"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(shared / "new"));
}

TEST_F(runc_test, user_and_group) {
  auto r = run({"sh", "-c", "id; grep CapEff /proc/self/status; echo $HOME"}, [](spec_inputs& in) {
    in.config.user = "1000:1000";
    auto u = resolve_user(in.rootfs, in.config.user, {"10"});
    ASSERT_TRUE(u);
    in.user = *u;
  });
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output,
            "uid=1000(user) gid=1000(user) groups=10(wheel),1000(user)\nCapEff:\t0000000000000000\n"
            "/home/user\n");
  r = run({"id"}, [](spec_inputs& in) {
    auto u = resolve_user(in.rootfs, "4242:4343", {});
    ASSERT_TRUE(u);
    in.user = *u;
  });
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "uid=4242 gid=4343 groups=4343\n");
}

TEST_F(runc_test, privileged_and_capabilities) {
  auto r =
      run({"sh", "-c", "grep CapEff /proc/self/status; mount -t tmpfs none /tmp && echo mounted"},
          [](spec_inputs& in) { in.host.privileged = true; });
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("mounted\n"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("CapEff:\t" + cap_mask(default_capabilities())), std::string::npos);
  r = run({"grep", "CapEff", "/proc/self/status"}, [](spec_inputs& in) {
    in.host.cap_add = {"CAP_NET_ADMIN"};
    in.host.cap_drop = {"CAP_NET_RAW"};
  });
  ASSERT_EQ(r.status, 0) << r.output;
  auto caps = *container_capabilities([] {
    host_config h;
    h.cap_add = {"CAP_NET_ADMIN"};
    h.cap_drop = {"CAP_NET_RAW"};
    return h;
  }());
  EXPECT_EQ(r.output, "CapEff:\t" + cap_mask(caps) + "\n");
  r = run({"grep", "NoNewPrivs", "/proc/self/status"},
          [](spec_inputs& in) { in.host.security_opt = {"no-new-privileges"}; });
  EXPECT_EQ(r.output, "NoNewPrivs:\t1\n");
}

TEST_F(runc_test, cgroup_limits_and_init) {
  auto r = run({"sh", "-c",
                "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max "
                "/sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.shares"},
               [](spec_inputs& in) {
                 in.host.memory = 64 << 20;
                 in.host.pids_limit = 100;
                 in.host.nano_cpus = 500000000;
                 in.host.cpu_shares = 512;
               });
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "67108864\n100\n50000\n512\n");
  if (fs::exists(tini_path)) {
    r = run({"sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo"},
            [](spec_inputs& in) { in.host.init = true; });
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_EQ(r.output.rfind("/sbin/docker-init -- sh -c", 0), 0u) << r.output;
  }
  // The container's exit code comes through.
  r = run({"sh", "-c", "exit 3"});
  EXPECT_EQ(r.status, 3);
}

TEST_F(runc_test, pinned_network_namespace) {
  auto netns = pinned_netns();
  auto r = run({"sh", "-c",
                "cat /proc/sys/net/ipv4/ping_group_range; ifconfig -a | grep -c '^[a-z]'; "
                "grep ^nameserver /etc/resolv.conf"},
               [&](spec_inputs& in) {
                 in.netns.what = network_namespace::kind::path;
                 in.netns.path = netns;
                 in.host.network_mode = "none";
               });
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "0\t2147483647\n1\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n");
}
