// Berth's rendition of Docker's default seccomp policy (an allow-list with EPERM for the rest)
// and the conversion of Docker-format profiles to the OCI `linux.seccomp` object.
#include "runtime/seccomp_profile.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <sys/utsname.h>

#include "base/error.hpp"

namespace berth::runtime {

namespace {

using json = nlohmann::json;

constexpr uint64_t af_vsock = 40;
constexpr unsigned enosys = 38;
constexpr unsigned eperm = 1;
/// CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
/// CLONE_NEWNET: the clone(2) flags that create namespaces.
constexpr uint64_t clone_namespace_flags =
    0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

/// Every system call of the x86-64 and i386 tables (and the newer ones glibc and Go use) that
/// needs no capability and reaches nothing outside the container's namespaces. Left out: the
/// kernel keyring (add_key, keyctl, request_key: not namespaced), io_uring (bypasses this filter's
/// view of I/O), namespace and mount management, module loading, clock setting, reboot, raw I/O
/// ports, NUMA policy, BPF and perf, obsolete calls (uselib, ustat, sysfs, _sysctl, vm86, the
/// unimplemented i386 stubs), and the calls below that take argument conditions (clone, clone3,
/// personality, socket) or capabilities.
const std::vector<std::string_view>& allowed_syscalls() {
  // clang-format off
  static const std::vector<std::string_view> names = {
    "_llseek", "_newselect", "accept", "accept4", "access", "adjtimex", "alarm", "arch_prctl",
    "bind", "brk", "cachestat", "capget", "capset", "chdir", "chmod", "chown", "chown32",
    "clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
    "clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat",
    "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_pwait",
    "epoll_pwait2", "epoll_wait", "eventfd", "eventfd2", "execve", "execveat", "exit",
    "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate",
    "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32",
    "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork",
    "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync",
    "ftruncate", "ftruncate64", "futex", "futex_requeue", "futex_time64", "futex_wait",
    "futex_waitv", "futex_wake", "futimesat", "get_robust_list", "get_thread_area", "getcpu",
    "getcwd", "getdents", "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid",
    "getgid32", "getgroups", "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp",
    "getpid", "getppid", "getpriority", "getrandom", "getresgid", "getresgid32", "getresuid",
    "getresuid32", "getrlimit", "getrusage", "getsid", "getsockname", "getsockopt", "gettid",
    "gettimeofday", "getuid", "getuid32", "getxattr", "inotify_add_watch", "inotify_init",
    "inotify_init1", "inotify_rm_watch", "io_cancel", "io_destroy", "io_getevents",
    "io_pgetevents", "io_pgetevents_time64", "io_setup", "io_submit", "ioctl", "ioprio_get",
    "ioprio_set", "ipc", "kill", "landlock_add_rule", "landlock_create_ruleset",
    "landlock_restrict_self", "lchown", "lchown32", "lgetxattr", "link", "linkat", "listen",
    "listxattr", "llistxattr", "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64",
    "madvise", "map_shadow_stack", "membarrier", "memfd_create", "mincore", "mkdir", "mkdirat",
    "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "modify_ldt", "mprotect",
    "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
    "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "mseal", "msgctl", "msgget",
    "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap", "nanosleep", "newfstatat",
    "nice", "open", "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe",
    "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl",
    "pread64", "preadv", "preadv2", "prlimit64", "process_mrelease", "pselect6",
    "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readdir",
    "readlink", "readlinkat", "readv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg",
    "remap_file_pages", "removexattr", "rename", "renameat", "renameat2", "restart_syscall",
    "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
    "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
    "rt_tgsigqueueinfo", "sched_get_priority_max", "sched_get_priority_min", "sched_getaffinity",
    "sched_getattr", "sched_getparam", "sched_getscheduler", "sched_rr_get_interval",
    "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr", "sched_setparam",
    "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget", "semop",
    "semtimedop", "semtimedop_time64", "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto",
    "set_robust_list", "set_thread_area", "set_tid_address", "setfsgid", "setfsgid32", "setfsuid",
    "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setitimer", "setpgid",
    "setpriority", "setregid", "setregid32", "setresgid", "setresgid32", "setresuid",
    "setresuid32", "setreuid", "setreuid32", "setrlimit", "setsid", "setsockopt", "setuid",
    "setuid32", "setxattr", "sgetmask", "shmat", "shmctl", "shmdt", "shmget", "shutdown",
    "sigaction", "sigaltstack", "signal", "signalfd", "signalfd4", "sigpending", "sigprocmask",
    "sigreturn", "sigsuspend", "socketcall", "socketpair", "splice", "ssetmask", "stat", "stat64",
    "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs",
    "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun",
    "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create",
    "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times",
    "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat",
    "utime", "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid",
    "waitpid", "write", "writev",
  };
  // clang-format on
  return names;
}

/// Inspection of other processes in the container: safe since Linux 4.8, where seccomp is
/// re-checked after a tracer changes a system call (Docker allows these there).
const std::vector<std::string_view> tracing_syscalls = {
    "kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace",
};

/// personality(2) values a container may set: PER_LINUX, PER_LINUX32, UNAME26,
/// PER_LINUX32 | UNAME26, and 0xffffffff (query the current persona).
const std::vector<uint64_t> allowed_personalities = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};

/// System calls that a capability unlocks (the kernel checks the capability too; the filter
/// keeps the attack surface closed to containers that do not have it).
struct capability_rule {
  std::string_view capability;
  std::vector<std::string_view> names;
};

const std::vector<capability_rule>& capability_rules() {
  static const std::vector<capability_rule> rules = {
      {"CAP_DAC_READ_SEARCH", {"name_to_handle_at", "open_by_handle_at"}},
      {"CAP_SYS_ADMIN", {"bpf",         "clone",           "fanotify_init", "fsconfig",
                         "fsmount",     "fsopen",          "fspick",        "lookup_dcookie",
                         "mount",       "mount_setattr",   "move_mount",    "name_to_handle_at",
                         "open_tree",   "perf_event_open", "pivot_root",    "quotactl",
                         "quotactl_fd", "setdomainname",   "sethostname",   "setns",
                         "swapoff",     "swapon",          "syslog",        "umount",
                         "umount2",     "unshare"}},
      {"CAP_SYS_BOOT", {"kexec_file_load", "kexec_load", "reboot"}},
      {"CAP_SYS_CHROOT", {"chroot"}},
      {"CAP_SYS_MODULE", {"delete_module", "finit_module", "init_module"}},
      {"CAP_SYS_PACCT", {"acct"}},
      {"CAP_SYS_PTRACE",
       {"kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace",
        "userfaultfd"}},
      {"CAP_SYS_RAWIO", {"ioperm", "iopl"}},
      {"CAP_SYS_TIME",
       {"clock_adjtime", "clock_adjtime64", "clock_settime", "clock_settime64", "settimeofday",
        "stime"}},
      {"CAP_SYS_TTY_CONFIG", {"vhangup"}},
      {"CAP_SYS_NICE",
       {"get_mempolicy", "mbind", "migrate_pages", "move_pages", "set_mempolicy",
        "set_mempolicy_home_node"}},
      {"CAP_SYSLOG", {"syslog"}},
      {"CAP_BPF", {"bpf"}},
      {"CAP_PERFMON", {"perf_event_open"}},
  };
  return rules;
}

bool has(const std::vector<std::string>& caps, std::string_view cap) {
  return std::find(caps.begin(), caps.end(), cap) != caps.end();
}

json names_of(const std::vector<std::string_view>& names) {
  auto out = json::array();
  for (auto n : names)
    out.push_back(std::string(n));
  return out;
}

json arg(unsigned index, uint64_t value, uint64_t value_two, const char* op) {
  return {{"index", index}, {"value", value}, {"valueTwo", value_two}, {"op", op}};
}

/// This machine's libseccomp architectures, and Docker's name for the native one.
struct machine_arches {
  std::vector<std::string> scmp;
  std::string native;
};

const machine_arches& this_machine() {
#if defined(__x86_64__)
  static const machine_arches m{{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}, "amd64"};
#elif defined(__aarch64__)
  static const machine_arches m{{"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"}, "arm64"};
#else
  static const machine_arches m{{}, ""};
#endif
  return m;
}

/// Whether the running kernel is at least "major.minor" (Docker's minKernel).
bool kernel_at_least(const std::string& version) {
  utsname u{};
  if (::uname(&u) != 0) return false;
  int want_major = 0, want_minor = 0, major = 0, minor = 0;
  if (std::sscanf(version.c_str(), "%d.%d", &want_major, &want_minor) < 1) return false;
  if (std::sscanf(u.release, "%d.%d", &major, &minor) < 1) return false;
  return major > want_major || (major == want_major && minor >= want_minor);
}

caf::error decoding_error(const std::string& why) {
  return make_error(errc::invalid_argument, "Decoding seccomp profile failed: " + why);
}

std::vector<std::string> strings_of(const json& v) {
  std::vector<std::string> out;
  if (v.is_array())
    for (const auto& s : v)
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

/// Whether a Docker-format includes/excludes block matches this container.
struct condition_match {
  bool arches = false;  ///< the native arch is listed
  bool any_cap = false; ///< one of the listed caps is in the bounding set
  bool all_caps = true; ///< every listed cap is in the bounding set
  bool kernel = false;  ///< the kernel is at least minKernel
  bool has_arches = false, has_caps = false, has_kernel = false;
};

condition_match match(const json& cond, const std::vector<std::string>& caps) {
  condition_match m;
  auto arches = strings_of(cond.value("arches", json::array()));
  m.has_arches = !arches.empty();
  m.arches = has(arches, this_machine().native);
  auto wanted = strings_of(cond.value("caps", json::array()));
  m.has_caps = !wanted.empty();
  for (const auto& c : wanted) {
    if (has(caps, c)) {
      m.any_cap = true;
    } else {
      m.all_caps = false;
    }
  }
  if (cond.contains("minKernel") && cond["minKernel"].is_string()) {
    m.has_kernel = true;
    m.kernel = kernel_at_least(cond["minKernel"].get<std::string>());
  }
  return m;
}

} // namespace

json default_seccomp_profile(const std::vector<std::string>& capabilities) {
  auto syscalls = json::array();
  syscalls.push_back({{"names", names_of(allowed_syscalls())}, {"action", "SCMP_ACT_ALLOW"}});
  syscalls.push_back({{"names", names_of(tracing_syscalls)}, {"action", "SCMP_ACT_ALLOW"}});
  for (auto persona : allowed_personalities) {
    syscalls.push_back({{"names", {"personality"}},
                        {"action", "SCMP_ACT_ALLOW"},
                        {"args", {arg(0, persona, 0, "SCMP_CMP_EQ")}}});
  }
  // Sockets of every family but AF_VSOCK, which reaches the hypervisor's host.
  syscalls.push_back({{"names", {"socket"}},
                      {"action", "SCMP_ACT_ALLOW"},
                      {"args", {arg(0, af_vsock, 0, "SCMP_CMP_NE")}}});
  if (!has(capabilities, "CAP_SYS_ADMIN")) {
    // clone(2) without namespace flags; clone3(2) passes its flags in memory the filter cannot
    // read, so it fails with ENOSYS and glibc falls back to clone(2).
    syscalls.push_back({{"names", {"clone"}},
                        {"action", "SCMP_ACT_ALLOW"},
                        {"args", {arg(0, clone_namespace_flags, 0, "SCMP_CMP_MASKED_EQ")}}});
    syscalls.push_back({{"names", {"clone3"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", enosys}});
  } else {
    syscalls.push_back({{"names", {"clone3"}}, {"action", "SCMP_ACT_ALLOW"}});
  }
  for (const auto& rule : capability_rules()) {
    if (has(capabilities, rule.capability))
      syscalls.push_back({{"names", names_of(rule.names)}, {"action", "SCMP_ACT_ALLOW"}});
  }
  return {
      {"defaultAction", "SCMP_ACT_ERRNO"},
      {"defaultErrnoRet", eperm},
      {"architectures", this_machine().scmp},
      {"syscalls", std::move(syscalls)},
  };
}

caf::expected<json> seccomp_from_docker_profile(const json& profile,
                                                const std::vector<std::string>& capabilities) {
  if (!profile.is_object()) return decoding_error("the profile is not a JSON object");
  auto syscalls_in = profile.value("syscalls", json::array());
  if (!syscalls_in.is_array() && !syscalls_in.is_null())
    return decoding_error("'syscalls' is not a list");
  auto default_action = profile.value("defaultAction", std::string{});
  if (default_action.empty() && (syscalls_in.is_null() || syscalls_in.empty())) return json{};
  bool has_architectures = profile.contains("architectures") &&
                           profile["architectures"].is_array() && !profile["architectures"].empty();
  bool has_arch_map =
      profile.contains("archMap") && profile["archMap"].is_array() && !profile["archMap"].empty();
  if (has_architectures && has_arch_map)
    return make_error(errc::invalid_argument,
                      "both 'architectures' and 'archMap' are specified in the seccomp profile, "
                      "use either 'architectures' or 'archMap'");
  json out = json::object();
  out["defaultAction"] = default_action;
  for (const char* key : {"defaultErrnoRet", "flags", "listenerPath", "listenerMetadata"}) {
    if (profile.contains(key) && !profile[key].is_null()) out[key] = profile[key];
  }
  auto arches = json::array();
  if (has_architectures) arches = profile["architectures"];
  if (has_arch_map) {
    const auto& native = this_machine().scmp;
    for (const auto& entry : profile["archMap"]) {
      if (!entry.is_object() || native.empty() || entry.value("architecture", "") != native[0])
        continue;
      arches.push_back(native[0]);
      for (const auto& sub : strings_of(entry.value("subArchitectures", json::array())))
        arches.push_back(sub);
      break;
    }
  }
  if (!arches.empty()) out["architectures"] = std::move(arches);
  auto syscalls = json::array();
  if (syscalls_in.is_array()) {
    for (const auto& call : syscalls_in) {
      if (!call.is_object()) return decoding_error("a 'syscalls' entry is not an object");
      auto names = strings_of(call.value("names", json::array()));
      if (call.contains("name") && call["name"].is_string() &&
          !call["name"].get<std::string>().empty()) {
        if (!names.empty())
          return make_error(errc::invalid_argument,
                            "both 'name' and 'names' are specified in the seccomp profile, use "
                            "either 'name' or 'names'");
        names = {call["name"].get<std::string>()};
      }
      if (call.contains("excludes") && call["excludes"].is_object()) {
        auto m = match(call["excludes"], capabilities);
        if ((m.has_arches && m.arches) || (m.has_caps && m.any_cap) || (m.has_kernel && m.kernel))
          continue;
      }
      if (call.contains("includes") && call["includes"].is_object()) {
        auto m = match(call["includes"], capabilities);
        if ((m.has_arches && !m.arches) || (m.has_caps && !m.all_caps) ||
            (m.has_kernel && !m.kernel))
          continue;
      }
      json rule = {{"names", names}, {"action", call.value("action", std::string{})}};
      if (call.contains("errnoRet") && call["errnoRet"].is_number())
        rule["errnoRet"] = call["errnoRet"];
      if (call.contains("args") && call["args"].is_array() && !call["args"].empty())
        rule["args"] = call["args"];
      syscalls.push_back(std::move(rule));
    }
  }
  out["syscalls"] = std::move(syscalls);
  return out;
}

} // namespace berth::runtime
