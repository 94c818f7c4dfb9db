// Facts about the host.
#include "runtime/host_info.hpp"

#include <fstream>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/sys.hpp"

namespace berth::runtime {

namespace {

constexpr long cgroup2_super_magic = 0x63677270;
constexpr long ext4_super_magic = 0xEF53;
constexpr long xfs_super_magic = 0x58465342;
constexpr long btrfs_super_magic = 0x9123683E;
constexpr long tmpfs_magic = 0x01021994;
constexpr long overlayfs_super_magic = 0x794c7630;

std::string os_release_value(const std::string& key) {
  for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind(key + "=", 0) != 0) continue;
      auto value = line.substr(key.size() + 1);
      if (value.size() >= 2 && (value.front() == '"' || value.front() == '\''))
        value = value.substr(1, value.size() - 2);
      return value;
    }
  }
  return {};
}

bool file_exists(const std::string& path) {
  return ::access(path.c_str(), F_OK) == 0;
}

bool read_flag(const std::string& path) {
  auto text = sys::read_file(path, 64);
  return text && !text->empty() && (*text)[0] == '1';
}

std::string filesystem_name(const std::string& path) {
  struct statfs fs {};
  if (::statfs(path.c_str(), &fs) != 0) return "unknown";
  switch (static_cast<long>(fs.f_type)) {
  case ext4_super_magic:
    return "extfs";
  case xfs_super_magic:
    return "xfs";
  case btrfs_super_magic:
    return "btrfs";
  case tmpfs_magic:
    return "tmpfs";
  case overlayfs_super_magic:
    return "overlayfs";
  default:
    return "unknown";
  }
}

std::string go_arch_of(const std::string& machine) {
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64") return "arm64";
  if (machine == "i686" || machine == "i386") return "386";
  return machine;
}

// The nearest existing ancestor: the data root may not exist yet on first start.
std::string existing_ancestor(std::string path) {
  while (!path.empty() && !file_exists(path)) {
    auto slash = path.rfind('/');
    path = slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
  }
  return path.empty() ? "/" : path;
}

} // namespace

host_info probe_host(const std::string& data_root) {
  host_info h;
  utsname uts{};
  if (::uname(&uts) == 0) {
    h.hostname = uts.nodename;
    h.kernel_version = uts.release;
    h.architecture = uts.machine;
  }
  h.go_arch = go_arch_of(h.architecture);
  h.operating_system = os_release_value("PRETTY_NAME");
  if (h.operating_system.empty()) h.operating_system = "Linux";
  h.os_version = os_release_value("VERSION_ID");
  h.ncpu = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
  struct sysinfo si {};
  if (::sysinfo(&si) == 0) h.mem_total = static_cast<int64_t>(si.totalram) * si.mem_unit;

  struct statfs cg {};
  bool unified =
      ::statfs("/sys/fs/cgroup", &cg) == 0 && static_cast<long>(cg.f_type) == cgroup2_super_magic;
  h.cgroup_version = unified ? "2" : "1";
  if (unified) {
    auto controllers = sys::read_file("/sys/fs/cgroup/cgroup.controllers", 4096);
    std::string c = controllers ? *controllers : "";
    auto has = [&](const char* name) { return c.find(name) != std::string::npos; };
    h.memory_limit = has("memory");
    h.swap_limit = has("memory");
    h.cpu_cfs_period = h.cpu_cfs_quota = h.cpu_shares = has("cpu");
    h.cpuset = has("cpuset");
    h.pids_limit = has("pids");
  } else {
    h.memory_limit = file_exists("/sys/fs/cgroup/memory/memory.limit_in_bytes");
    h.swap_limit = file_exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes");
    h.oom_kill_disable = file_exists("/sys/fs/cgroup/memory/memory.oom_control");
    h.cpu_cfs_period = file_exists("/sys/fs/cgroup/cpu/cpu.cfs_period_us");
    h.cpu_cfs_quota = file_exists("/sys/fs/cgroup/cpu/cpu.cfs_quota_us");
    h.cpu_shares = file_exists("/sys/fs/cgroup/cpu/cpu.shares");
    h.cpuset = file_exists("/sys/fs/cgroup/cpuset/cpuset.cpus");
    h.pids_limit = file_exists("/sys/fs/cgroup/pids");
  }
  h.ipv4_forwarding = read_flag("/proc/sys/net/ipv4/ip_forward");
  h.bridge_nf_iptables = read_flag("/proc/sys/net/bridge/bridge-nf-call-iptables");
  h.bridge_nf_ip6tables = read_flag("/proc/sys/net/bridge/bridge-nf-call-ip6tables");
  h.backing_filesystem = filesystem_name(existing_ancestor(data_root));
  return h;
}

} // namespace berth::runtime
