// Tests runtime/oci_spec: the command and environment rules, and the spec of default,
// privileged, read-only, user, init, resource-limited, host-network and hardened containers.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "runtime/container_config.hpp"
#include "runtime/oci_spec.hpp"

using namespace berth;
using namespace berth::runtime;
using json = nlohmann::json;

namespace {

const std::string id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

spec_inputs busybox() {
  spec_inputs in;
  in.container_id = id;
  in.config.image = "busybox";
  in.config.cmd = std::vector<std::string>{"echo", "hi"};
  in.image_config = json::parse(
      R"({"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
          "Cmd":["sh"]})");
  in.rootfs = "/var/lib/berth/containers/x/rootfs";
  in.hostname = id.substr(0, 12);
  in.user.home = "/root";
  in.user.additional_gids = {0, 10};
  in.hosts_path = "/run/berth/x/hosts";
  in.hostname_path = "/run/berth/x/hostname";
  in.resolv_conf_path = "/run/berth/x/resolv.conf";
  in.netns.path = "/run/berth/netns/x";
  in.init_path = "/usr/bin/tini-static";
  return in;
}

json spec_of(const spec_inputs& in) {
  auto spec = make_oci_spec(in);
  EXPECT_TRUE(spec) << error_message(spec.error());
  return spec ? *spec : json::object();
}

const json* find_mount(const json& spec, const std::string& destination) {
  for (const auto& m : spec["mounts"])
    if (m["destination"] == destination) return &m;
  return nullptr;
}

bool has_option(const json& mount, const std::string& option) {
  const auto& o = mount["options"];
  return std::find(o.begin(), o.end(), option) != o.end();
}

std::vector<std::string> namespace_types(const json& spec) {
  std::vector<std::string> out;
  for (const auto& ns : spec["linux"]["namespaces"])
    out.push_back(ns["type"]);
  return out;
}

std::vector<std::string> destinations(const json& spec) {
  std::vector<std::string> out;
  for (const auto& m : spec["mounts"])
    out.push_back(m["destination"]);
  return out;
}

/// Every system call name the seccomp filter allows without conditions.
std::set<std::string> allowed_syscalls(const json& spec) {
  std::set<std::string> out;
  for (const auto& rule : spec["linux"]["seccomp"]["syscalls"]) {
    if (rule["action"] != "SCMP_ACT_ALLOW" || rule.contains("args")) continue;
    for (const auto& n : rule["names"])
      out.insert(n.get<std::string>());
  }
  return out;
}

std::optional<json> rlimit(const json& spec, const std::string& type) {
  for (const auto& r : spec["process"]["rlimits"])
    if (r["type"] == type) return r;
  return std::nullopt;
}

} // namespace

TEST(oci_spec, container_command_rules) {
  auto image = json::parse(R"({"Entrypoint":["/entry","-x"],"Cmd":["default"]})");
  container_config c;
  EXPECT_EQ(*container_command(c, image), (std::vector<std::string>{"/entry", "-x", "default"}));
  c.cmd = std::vector<std::string>{"mine"};
  EXPECT_EQ(*container_command(c, image), (std::vector<std::string>{"/entry", "-x", "mine"}));
  c.cmd.reset();
  c.entrypoint = std::vector<std::string>{"/bin/sh", "-c"};
  // A create-time Entrypoint drops the image's Cmd.
  EXPECT_EQ(*container_command(c, image), (std::vector<std::string>{"/bin/sh", "-c"}));
  c.entrypoint = std::vector<std::string>{""};
  c.cmd = std::vector<std::string>{"ls"};
  EXPECT_EQ(*container_command(c, image), (std::vector<std::string>{"ls"}));
  c.cmd.reset();
  auto none = container_command(c, image);
  ASSERT_FALSE(none);
  EXPECT_EQ(error_message(none.error()), "no command specified");
  EXPECT_FALSE(container_command(container_config{}, json::object()));
  container_config only_cmd;
  only_cmd.cmd = std::vector<std::string>{"top"};
  EXPECT_EQ(*container_command(only_cmd, json()), (std::vector<std::string>{"top"}));
}

TEST(oci_spec, container_env_rules) {
  auto image = json::parse(R"({"Env":["PATH=/img/bin","LANG=C","DROP=1"]})");
  container_config c;
  EXPECT_EQ(container_env(c, image, "h1"),
            (std::vector<std::string>{"PATH=/img/bin", "HOSTNAME=h1", "LANG=C", "DROP=1"}));
  // "DROP" without a value hides the image's DROP=1 (same key) and is not itself set.
  c.env = {"LANG=en", "NEW=x", "DROP", "HOSTNAME=mine"};
  c.tty = true;
  EXPECT_EQ(container_env(c, image, "h1"),
            (std::vector<std::string>{"PATH=/img/bin", "HOSTNAME=mine", "TERM=xterm", "LANG=en",
                                      "NEW=x"}));
  // "TERM" alone removes the TERM a TTY brings.
  c.env = {"TERM"};
  EXPECT_EQ(container_env(c, image, "h1"),
            (std::vector<std::string>{"PATH=/img/bin", "HOSTNAME=h1", "LANG=C", "DROP=1"}));
  EXPECT_EQ(
      container_env(container_config{}, json(), "h"),
      (std::vector<std::string>{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                "HOSTNAME=h"}));
}

TEST(oci_spec, default_busybox_container) {
  auto in = busybox();
  auto spec = spec_of(in);
  EXPECT_EQ(spec["ociVersion"], "1.0.2");
  const auto& p = spec["process"];
  EXPECT_EQ(p["terminal"], false);
  EXPECT_FALSE(p.contains("consoleSize"));
  EXPECT_EQ(p["args"], json({"echo", "hi"}));
  EXPECT_EQ(p["cwd"], "/");
  EXPECT_EQ(p["user"], json({{"uid", 0}, {"gid", 0}, {"additionalGids", {0, 10}}}));
  EXPECT_EQ(p["env"], json({"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                            "HOSTNAME=" + id.substr(0, 12), "HOME=/root"}));
  EXPECT_EQ(p["capabilities"]["bounding"], json(default_capabilities()));
  EXPECT_EQ(p["capabilities"]["effective"], json(default_capabilities()));
  EXPECT_EQ(p["capabilities"]["permitted"], json(default_capabilities()));
  EXPECT_EQ(p["capabilities"]["inheritable"], json::array());
  EXPECT_EQ(p["capabilities"]["ambient"], json::array());
  EXPECT_EQ(*rlimit(spec, "RLIMIT_NOFILE"),
            json({{"type", "RLIMIT_NOFILE"}, {"hard", 1048576}, {"soft", 1048576}}));
  EXPECT_EQ(p["noNewPrivileges"], false);
  EXPECT_EQ(p["oomScoreAdj"], 0);
  EXPECT_EQ(spec["root"], json({{"path", in.rootfs}, {"readonly", false}}));
  EXPECT_EQ(spec["hostname"], id.substr(0, 12));

  EXPECT_EQ(destinations(spec),
            (std::vector<std::string>{"/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup",
                                      "/dev/mqueue", "/dev/shm", "/etc/resolv.conf",
                                      "/etc/hostname", "/etc/hosts"}));
  EXPECT_EQ(*find_mount(spec, "/dev/shm"),
            json({{"destination", "/dev/shm"},
                  {"type", "tmpfs"},
                  {"source", "shm"},
                  {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=67108864"}}}));
  EXPECT_TRUE(has_option(*find_mount(spec, "/sys"), "ro"));
  EXPECT_EQ((*find_mount(spec, "/sys/fs/cgroup"))["type"], "cgroup");
  EXPECT_TRUE(has_option(*find_mount(spec, "/sys/fs/cgroup"), "ro"));
  EXPECT_EQ(*find_mount(spec, "/etc/hosts"), json({{"destination", "/etc/hosts"},
                                                   {"type", "bind"},
                                                   {"source", in.hosts_path},
                                                   {"options", {"rbind", "rprivate"}}}));

  const auto& l = spec["linux"];
  EXPECT_EQ(namespace_types(spec),
            (std::vector<std::string>{"mount", "network", "uts", "pid", "ipc"}));
  EXPECT_EQ(l["namespaces"][1]["path"], in.netns.path);
  EXPECT_FALSE(l.contains("uidMappings"));
  EXPECT_EQ(l["cgroupsPath"], "/berth/" + id);
  EXPECT_EQ(l["devices"], json::array());
  const auto& rules = l["resources"]["devices"];
  EXPECT_EQ(rules[0], json({{"allow", false}, {"access", "rwm"}}));
  EXPECT_EQ(rules[1], json({{"allow", true}, {"type", "c"}, {"access", "m"}}));
  EXPECT_EQ(rules[2], json({{"allow", true}, {"type", "b"}, {"access", "m"}}));
  for (auto [major, minor] :
       {std::pair{1, 3}, std::pair{1, 5}, std::pair{1, 7}, std::pair{1, 8}, std::pair{1, 9},
        std::pair{5, 0}, std::pair{5, 1}, std::pair{5, 2}, std::pair{10, 200}}) {
    json want = {
        {"allow", true}, {"type", "c"}, {"major", major}, {"minor", minor}, {"access", "rwm"}};
    EXPECT_NE(std::find(rules.begin(), rules.end(), want), rules.end()) << want.dump();
  }
  json pts = {{"allow", true}, {"type", "c"}, {"major", 136}, {"access", "rwm"}};
  EXPECT_NE(std::find(rules.begin(), rules.end(), pts), rules.end());
  EXPECT_EQ(l["resources"]["memory"], json({{"disableOOMKiller", false}}));
  EXPECT_FALSE(l["resources"].contains("cpu"));
  EXPECT_FALSE(l["resources"].contains("pids"));
  const auto& masked = l["maskedPaths"];
  EXPECT_NE(std::find(masked.begin(), masked.end(), "/proc/kcore"), masked.end());
  EXPECT_NE(std::find(masked.begin(), masked.end(), "/sys/firmware"), masked.end());
  EXPECT_EQ(l["readonlyPaths"],
            json({"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}));
  ASSERT_TRUE(l.contains("seccomp"));
  EXPECT_EQ(l["seccomp"]["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ(l["seccomp"]["defaultErrnoRet"], 1);
  EXPECT_EQ(l["sysctl"]["net.ipv4.ping_group_range"], "0 2147483647");
  EXPECT_EQ(l["sysctl"]["net.ipv4.ip_unprivileged_port_start"], "0");
  EXPECT_FALSE(spec.contains("annotations"));
}

TEST(oci_spec, privileged_container) {
  auto in = busybox();
  in.host.privileged = true;
  auto spec = spec_of(in);
  EXPECT_EQ(spec["process"]["capabilities"]["bounding"], json(available_capabilities()));
  const auto& l = spec["linux"];
  EXPECT_EQ(l["resources"]["devices"], json::array({{{"allow", true}, {"access", "rwm"}}}));
  EXPECT_FALSE(l["devices"].empty()); // the host's /dev
  bool has_null = false;
  for (const auto& d : l["devices"])
    has_null |= d["path"] == "/dev/null";
  EXPECT_TRUE(has_null);
  EXPECT_FALSE(l.contains("maskedPaths"));
  EXPECT_FALSE(l.contains("readonlyPaths"));
  EXPECT_FALSE(l.contains("seccomp"));
  EXPECT_FALSE(has_option(*find_mount(spec, "/sys"), "ro"));
  EXPECT_FALSE(has_option(*find_mount(spec, "/sys/fs/cgroup"), "ro"));
  // Explicit lists still apply.
  in.host.masked_paths = std::vector<std::string>{"/proc/kcore"};
  spec = spec_of(in);
  EXPECT_EQ(spec["linux"]["maskedPaths"], json({"/proc/kcore"}));
}

TEST(oci_spec, read_only_rootfs) {
  auto in = busybox();
  in.host.readonly_rootfs = true;
  in.host.tmpfs = {{"/run", ""}};
  auto spec = spec_of(in);
  EXPECT_EQ(spec["root"]["readonly"], true);
  EXPECT_TRUE(has_option(*find_mount(spec, "/sys/fs/cgroup"), "ro"));
  EXPECT_TRUE(has_option(*find_mount(spec, "/etc/hosts"), "rro"));
  for (const char* writable : {"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/run"})
    EXPECT_FALSE(has_option(*find_mount(spec, writable), "ro")) << writable;
}

TEST(oci_spec, user_init_tty_and_workdir) {
  auto in = busybox();
  in.user = resolved_user{1000, 1000, {1000, 20}, "/home/u"};
  in.host.init = true;
  in.config.tty = true;
  in.config.working_dir = "/tmp";
  in.host.console_size = {24, 80};
  auto spec = spec_of(in);
  const auto& p = spec["process"];
  EXPECT_EQ(p["user"], json({{"uid", 1000}, {"gid", 1000}, {"additionalGids", {1000, 20}}}));
  EXPECT_EQ(p["args"], json({"/sbin/docker-init", "--", "echo", "hi"}));
  EXPECT_EQ(p["terminal"], true);
  EXPECT_EQ(p["consoleSize"], json({{"height", 24}, {"width", 80}}));
  EXPECT_EQ(p["cwd"], "/tmp");
  auto env = p["env"];
  EXPECT_NE(std::find(env.begin(), env.end(), "TERM=xterm"), env.end());
  EXPECT_NE(std::find(env.begin(), env.end(), "HOME=/home/u"), env.end());
  EXPECT_EQ(*find_mount(spec, "/sbin/docker-init"), json({{"destination", "/sbin/docker-init"},
                                                          {"type", "bind"},
                                                          {"source", "/usr/bin/tini-static"},
                                                          {"options", {"bind", "ro"}}}));
  // The daemon's init default, overridden per container; never in the host PID namespace.
  in.host.init.reset();
  in.defaults.init = true;
  EXPECT_EQ(spec_of(in)["process"]["args"][0], "/sbin/docker-init");
  in.host.init = false;
  EXPECT_EQ(spec_of(in)["process"]["args"][0], "echo");
  in.host.init = true;
  in.host.pid_mode = "host";
  EXPECT_EQ(spec_of(in)["process"]["args"][0], "echo");
  // The args computed at create win over Config.
  in.args = {"/bin/true"};
  EXPECT_EQ(spec_of(in)["process"]["args"], json({"/bin/true"}));
}

TEST(oci_spec, resources) {
  auto in = busybox();
  in.host.memory = 256 << 20;
  in.host.memory_reservation = 128 << 20;
  in.host.memory_swappiness = 0;
  in.host.oom_kill_disable = true;
  in.host.nano_cpus = 1500000000;
  in.host.cpu_shares = 512;
  in.host.cpuset_cpus = "0";
  in.host.cpuset_mems = "0";
  in.host.pids_limit = 100;
  in.host.blkio_weight = 300;
  in.host.cgroup_parent = "/custom/";
  auto spec = spec_of(in);
  const auto& r = spec["linux"]["resources"];
  EXPECT_EQ(r["memory"], json({{"limit", 268435456},
                               {"reservation", 134217728},
                               {"swap", 536870912},
                               {"swappiness", 0},
                               {"disableOOMKiller", true}}));
  EXPECT_EQ(
      r["cpu"],
      json({{"shares", 512}, {"period", 100000}, {"quota", 150000}, {"cpus", "0"}, {"mems", "0"}}));
  EXPECT_EQ(r["pids"], json({{"limit", 100}}));
  EXPECT_EQ(r["blockIO"], json({{"weight", 300}}));
  EXPECT_EQ(spec["linux"]["cgroupsPath"], "/custom/" + id);
  // MemorySwap -1: unlimited swap (no memsw limit); an explicit value wins; no swap accounting:
  // no default.
  in.host.memory_swap = -1;
  EXPECT_FALSE(spec_of(in)["linux"]["resources"]["memory"].contains("swap"));
  in.host.memory_swap = 300 << 20;
  EXPECT_EQ(spec_of(in)["linux"]["resources"]["memory"]["swap"], 314572800);
  in.host.memory_swap = 0;
  in.swap_accounting = false;
  EXPECT_FALSE(spec_of(in)["linux"]["resources"]["memory"].contains("swap"));
  // CpuPeriod/CpuQuota directly.
  in.host.nano_cpus = 0;
  in.host.cpu_period = 50000;
  in.host.cpu_quota = 25000;
  auto cpu = spec_of(in)["linux"]["resources"]["cpu"];
  EXPECT_EQ(cpu["period"], 50000);
  EXPECT_EQ(cpu["quota"], 25000);
}

TEST(oci_spec, ulimits_precedence) {
  auto in = busybox();
  in.defaults.ulimits = {{"nofile", 2048, 4096}, {"nproc", 100, 200}};
  auto spec = spec_of(in);
  EXPECT_EQ(*rlimit(spec, "RLIMIT_NOFILE"),
            json({{"type", "RLIMIT_NOFILE"}, {"hard", 4096}, {"soft", 2048}}));
  EXPECT_EQ((*rlimit(spec, "RLIMIT_NPROC"))["soft"], 100);
  in.host.ulimits = {{"nofile", 10, 20}, {"core", -1, -1}};
  spec = spec_of(in);
  EXPECT_EQ((*rlimit(spec, "RLIMIT_NOFILE"))["soft"], 10);
  EXPECT_EQ((*rlimit(spec, "RLIMIT_NPROC"))["hard"], 200);
  EXPECT_EQ((*rlimit(spec, "RLIMIT_CORE"))["hard"], UINT64_MAX);
  EXPECT_EQ(spec["process"]["rlimits"].size(), 3u);
}

TEST(oci_spec, namespaces_for_host_modes) {
  auto in = busybox();
  in.netns.what = network_namespace::kind::host;
  in.host.network_mode = "host";
  auto spec = spec_of(in);
  // dockerd keeps a private UTS namespace with the host network (hostname = the host's name).
  EXPECT_EQ(namespace_types(spec), (std::vector<std::string>{"mount", "uts", "pid", "ipc"}));
  EXPECT_EQ(spec["hostname"], in.hostname);
  EXPECT_FALSE(spec["linux"].contains("sysctl")); // no network sysctls in the host's namespace
  in.host.uts_mode = "host";
  in.host.pid_mode = "host";
  in.host.ipc_mode = "host";
  spec = spec_of(in);
  EXPECT_EQ(namespace_types(spec), (std::vector<std::string>{"mount"}));
  EXPECT_FALSE(spec.contains("hostname"));
  EXPECT_EQ(*find_mount(spec, "/dev/shm"), json({{"destination", "/dev/shm"},
                                                 {"type", "bind"},
                                                 {"source", "/dev/shm"},
                                                 {"options", {"rbind", "rprivate"}}}));
  in = busybox();
  in.host.ipc_mode = "none";
  EXPECT_EQ(find_mount(spec_of(in), "/dev/shm"), nullptr);
  in.cgroup_v2 = true;
  EXPECT_EQ(namespace_types(spec_of(in)).back(), "cgroup");
  in.cgroup_v2 = false;
  in.host.cgroupns_mode = "private";
  EXPECT_EQ(namespace_types(spec_of(in)).back(), "cgroup");
  in.host.pid_mode = "container:other";
  EXPECT_FALSE(make_oci_spec(in));
  in.pid_namespace_path = "/proc/42/ns/pid";
  spec = spec_of(in);
  EXPECT_EQ(spec["linux"]["namespaces"][3], json({{"type", "pid"}, {"path", "/proc/42/ns/pid"}}));
  in = busybox();
  in.config.network_disabled = true;
  EXPECT_EQ(spec_of(in)["linux"]["namespaces"][1], json({{"type", "network"}}));
}

TEST(oci_spec, security_options) {
  auto in = busybox();
  in.host.security_opt = {"no-new-privileges"};
  EXPECT_EQ(spec_of(in)["process"]["noNewPrivileges"], true);
  in.host.security_opt = {"no-new-privileges:false"};
  in.defaults.no_new_privileges = true;
  EXPECT_EQ(spec_of(in)["process"]["noNewPrivileges"], false);
  in.host.security_opt = {};
  EXPECT_EQ(spec_of(in)["process"]["noNewPrivileges"], true);
  in.host.security_opt = {"seccomp=unconfined", "label=disable", "apparmor=unconfined"};
  EXPECT_FALSE(spec_of(in)["linux"].contains("seccomp"));
  in.host.security_opt = {};
  in.defaults.seccomp_profile = "unconfined";
  EXPECT_FALSE(spec_of(in)["linux"].contains("seccomp"));
  in.host.security_opt = {"seccomp=builtin"};
  EXPECT_TRUE(spec_of(in)["linux"].contains("seccomp"));
  in.host.security_opt = {"bogus"};
  auto bad = make_oci_spec(in);
  ASSERT_FALSE(bad);
  EXPECT_EQ(error_message(bad.error()), "invalid --security-opt 1: \"bogus\"");
  in.host.security_opt = {"writable-cgroups=true"};
  EXPECT_FALSE(has_option(*find_mount(spec_of(in), "/sys/fs/cgroup"), "ro"));
}

TEST(oci_spec, custom_seccomp_profiles) {
  auto profile = json::parse(R"({
    "defaultAction": "SCMP_ACT_ALLOW",
    "archMap": [{"architecture": "SCMP_ARCH_X86_64",
                 "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
                {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
    "syscalls": [
      {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
      {"name": "chmod", "action": "SCMP_ACT_ERRNO", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
      {"names": ["chown"], "action": "SCMP_ACT_ERRNO", "excludes": {"caps": ["CAP_CHOWN"]}},
      {"names": ["link"], "action": "SCMP_ACT_ERRNO", "includes": {"arches": ["arm64"]}},
      {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"}},
      {"names": ["unlink"], "action": "SCMP_ACT_ERRNO", "includes": {"minKernel": "99.0"}}
    ]})");
  auto in = busybox();
  in.host.security_opt = {"seccomp=" + profile.dump()};
  auto seccomp = spec_of(in)["linux"]["seccomp"];
  EXPECT_EQ(seccomp["defaultAction"], "SCMP_ACT_ALLOW");
#if defined(__x86_64__)
  EXPECT_EQ(seccomp["architectures"], json({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
#endif
  std::vector<std::string> names;
  for (const auto& s : seccomp["syscalls"])
    names.push_back(s["names"][0]);
  EXPECT_EQ(names, (std::vector<std::string>{"mkdir", "ptrace"}));
  EXPECT_EQ(seccomp["syscalls"][0]["errnoRet"], 1);
  // Privileged containers take a profile named for them.
  in.host.privileged = true;
  names.clear();
  auto privileged = spec_of(in);
  for (const auto& s : privileged["linux"]["seccomp"]["syscalls"])
    names.push_back(s["names"][0]);
  EXPECT_EQ(names, (std::vector<std::string>{"mkdir", "chmod", "ptrace"}));
  // The daemon's profile file.
  char path[] = "/tmp/berth-seccomp-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  auto text = profile.dump();
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fd);
  in = busybox();
  in.defaults.seccomp_profile = path;
  EXPECT_EQ(spec_of(in)["linux"]["seccomp"]["defaultAction"], "SCMP_ACT_ALLOW");
  ::unlink(path);
  // Paths that are not regular files are refused without reading (a FIFO would block).
  in.defaults.seccomp_profile = path;
  EXPECT_FALSE(make_oci_spec(in)); // gone now
  ASSERT_EQ(::mkfifo(path, 0600), 0);
  auto fifo = make_oci_spec(in);
  ASSERT_FALSE(fifo);
  EXPECT_EQ(error_message(fifo.error()),
            std::string("seccomp profile ") + path + " is not a regular file");
  ::unlink(path);
  in.defaults.seccomp_profile = "";
  // Broken profiles.
  in.host.security_opt = {"seccomp={not json"};
  auto bad = make_oci_spec(in);
  ASSERT_FALSE(bad);
  EXPECT_EQ(error_message(bad.error()).rfind("Decoding seccomp profile failed", 0), 0u);
  in.host.security_opt = {
      R"(seccomp={"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],)"
      R"("archMap":[{"architecture":"SCMP_ARCH_X86_64"}]})"};
  EXPECT_FALSE(make_oci_spec(in));
  in.host.security_opt = {R"(seccomp={"syscalls":[]})"}; // disables seccomp
  EXPECT_FALSE(spec_of(in)["linux"].contains("seccomp"));
}

TEST(oci_spec, capabilities_open_the_seccomp_filter) {
  auto in = busybox();
  auto allowed = allowed_syscalls(spec_of(in));
  for (const char* blocked : {"mount", "umount2", "unshare", "setns", "reboot", "keyctl", "add_key",
                              "request_key", "init_module", "bpf", "perf_event_open",
                              "clock_settime", "swapon", "io_uring_setup", "kexec_load"})
    EXPECT_FALSE(allowed.count(blocked)) << blocked;
  for (const char* ok : {"read", "write", "openat", "execve", "chroot", "ptrace", "socketpair",
                         "setuid", "mknod", "futex", "epoll_wait", "getrandom", "statx"})
    EXPECT_TRUE(allowed.count(ok)) << ok;
  in.host.cap_add = {"CAP_SYS_ADMIN", "CAP_SYS_TIME"};
  auto spec = spec_of(in);
  allowed = allowed_syscalls(spec);
  for (const char* opened : {"mount", "umount2", "unshare", "setns", "clone", "clone3",
                             "clock_settime", "bpf", "perf_event_open"})
    EXPECT_TRUE(allowed.count(opened)) << opened;
  EXPECT_FALSE(allowed.count("reboot"));
  EXPECT_FALSE(allowed.count("keyctl"));
  in.host.cap_drop = {"CAP_SYS_CHROOT"};
  EXPECT_FALSE(allowed_syscalls(spec_of(in)).count("chroot"));
}

TEST(oci_spec, user_mounts) {
  auto in = busybox();
  in.host.binds = {"/tmp:/data:ro", "/var/tmp:/shared:rshared", "vol:/v"};
  in.host.mounts = {
      mount_config{.type = "bind", .source = "/srv", .target = "/srv", .bind_non_recursive = true},
      mount_config{.type = "tmpfs",
                   .target = "/scratch",
                   .has_tmpfs_options = true,
                   .tmpfs_size = 64 << 20,
                   .tmpfs_mode = 01777},
  };
  in.host.tmpfs = {{"/run", "size=64m,exec"}};
  in.volumes = {volume_mount{"/var/lib/berth/volumes/vol/_data", "/v", false}};
  auto spec = spec_of(in);
  EXPECT_EQ(*find_mount(spec, "/data"), json({{"destination", "/data"},
                                              {"type", "bind"},
                                              {"source", "/tmp"},
                                              {"options", {"rbind", "rro", "rprivate"}}}));
  EXPECT_EQ((*find_mount(spec, "/shared"))["options"], json({"rbind", "rshared"}));
  EXPECT_EQ(spec["linux"]["rootfsPropagation"], "shared");
  EXPECT_EQ((*find_mount(spec, "/srv"))["options"], json({"bind", "rprivate"}));
  EXPECT_EQ(*find_mount(spec, "/v"), json({{"destination", "/v"},
                                           {"type", "bind"},
                                           {"source", "/var/lib/berth/volumes/vol/_data"},
                                           {"options", {"rbind"}}}));
  EXPECT_EQ(*find_mount(spec, "/run"),
            json({{"destination", "/run"},
                  {"type", "tmpfs"},
                  {"source", "tmpfs"},
                  {"options", {"nosuid", "nodev", "rprivate", "size=64m", "exec"}}}));
  EXPECT_EQ((*find_mount(spec, "/scratch"))["options"],
            json({"noexec", "nosuid", "nodev", "rprivate", "mode=1777", "size=64m"}));
  // Recursive read-only only where the runtime has it, and unless the mount asks otherwise.
  in.defaults.recursive_readonly = false;
  EXPECT_EQ((*find_mount(spec_of(in), "/data"))["options"], json({"rbind", "ro", "rprivate"}));
  in.defaults.recursive_readonly = true;
  in.host.mounts[0].read_only = true;
  in.host.mounts[0].bind_readonly_non_recursive = true;
  EXPECT_EQ((*find_mount(spec_of(in), "/srv"))["options"], json({"bind", "ro", "rprivate"}));
  in.host.mounts[0].bind_readonly_force_recursive = true;
  EXPECT_FALSE(make_oci_spec(in));
  // A user mount replaces a default one, and a user /dev drops the defaults below /dev.
  in = busybox();
  in.host.tmpfs = {{"/dev/shm", "size=1m"}, {"/etc/hosts", ""}};
  spec = spec_of(in);
  auto d = destinations(spec);
  EXPECT_EQ(std::count(d.begin(), d.end(), "/dev/shm"), 1);
  EXPECT_EQ((*find_mount(spec, "/dev/shm"))["type"], "tmpfs");
  EXPECT_EQ((*find_mount(spec, "/dev/shm"))["source"], "tmpfs");
  EXPECT_EQ(std::count(d.begin(), d.end(), "/etc/hosts"), 1);
  EXPECT_EQ((*find_mount(spec, "/etc/hosts"))["type"], "tmpfs");
  in.host.tmpfs = {{"/dev", ""}};
  d = destinations(spec_of(in));
  for (const char* gone : {"/dev/pts", "/dev/shm", "/dev/mqueue"})
    EXPECT_EQ(std::count(d.begin(), d.end(), gone), 0) << gone;
  // Two mounts at one place are refused.
  in.host.tmpfs = {{"/x", ""}};
  in.host.binds = {"/tmp:/x"};
  auto dup = make_oci_spec(in);
  ASSERT_FALSE(dup);
  EXPECT_EQ(error_message(dup.error()), "Duplicate mount point: /x");
}

TEST(oci_spec, devices_sysctls_and_annotations) {
  auto in = busybox();
  in.host.devices = {json{{"PathOnHost", "/dev/null"},
                          {"PathInContainer", "/dev/mynull"},
                          {"CgroupPermissions", "rw"}}};
  in.host.device_cgroup_rules = {"c 42:* rmw", "b *:* r"};
  in.host.sysctls = {{"net.ipv4.ip_unprivileged_port_start", "1024"}};
  in.config.domainname = "example.com";
  in.host.annotations = {{"org.example", "1"}};
  auto spec = spec_of(in);
  const auto& l = spec["linux"];
  ASSERT_EQ(l["devices"].size(), 1u);
  EXPECT_EQ(l["devices"][0]["path"], "/dev/mynull");
  EXPECT_EQ(l["devices"][0]["type"], "c");
  EXPECT_EQ(l["devices"][0]["major"], 1);
  EXPECT_EQ(l["devices"][0]["minor"], 3);
  const auto& rules = l["resources"]["devices"];
  auto n = rules.size();
  EXPECT_EQ(rules[n - 3],
            json({{"allow", true}, {"type", "c"}, {"major", 1}, {"minor", 3}, {"access", "rw"}}));
  EXPECT_EQ(rules[n - 2], json({{"allow", true}, {"type", "c"}, {"major", 42}, {"access", "rmw"}}));
  EXPECT_EQ(rules[n - 1], json({{"allow", true}, {"type", "b"}, {"access", "r"}}));
  EXPECT_EQ(l["sysctl"]["net.ipv4.ip_unprivileged_port_start"], "1024");
  EXPECT_EQ(l["sysctl"]["kernel.domainname"], "example.com");
  EXPECT_EQ(spec["annotations"], json({{"org.example", "1"}}));
  in.host.devices = {json{{"PathOnHost", "/no/such/device"}}};
  EXPECT_FALSE(make_oci_spec(in));
  in.host.devices = {json{{"PathOnHost", "/etc/hostname"}}};
  auto not_device = make_oci_spec(in);
  ASSERT_FALSE(not_device);
  EXPECT_EQ(error_message(not_device.error()),
            "error gathering device information while adding custom device \"/etc/hostname\": "
            "not a device node");
}

TEST(oci_spec, default_paths) {
  const auto& masked = default_masked_paths();
  EXPECT_EQ(masked[0], "/proc/asound");
  EXPECT_NE(std::find(masked.begin(), masked.end(), "/sys/devices/virtual/powercap"), masked.end());
  EXPECT_EQ(default_readonly_paths().size(), 5u);
}
