// Capability names: Docker's default set, the kernel's full list, normalization and the
// container's effective set (dockerd's TweakCapabilities).
#include <algorithm>
#include <cctype>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/error.hpp"
#include "runtime/container_config.hpp"
#include "runtime/go_text.hpp"

namespace berth::runtime {

namespace {

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

void add_unique(std::vector<std::string>& list, const std::string& item) {
  if (!contains(list, item)) list.push_back(item);
}

} // namespace

const std::vector<std::string>& default_capabilities() {
  // Docker's default set: what a traditional root process needs to set up its files, users and
  // sockets, without the capabilities that reach outside the container.
  static const std::vector<std::string> caps = {
      "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
      "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
      "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
      "CAP_KILL",    "CAP_AUDIT_WRITE",
  };
  return caps;
}

const std::vector<std::string>& all_capabilities() {
  // include/uapi/linux/capability.h, capability numbers 0 to 40.
  static const std::vector<std::string> caps = {
      "CAP_CHOWN",
      "CAP_DAC_OVERRIDE",
      "CAP_DAC_READ_SEARCH",
      "CAP_FOWNER",
      "CAP_FSETID",
      "CAP_KILL",
      "CAP_SETGID",
      "CAP_SETUID",
      "CAP_SETPCAP",
      "CAP_LINUX_IMMUTABLE",
      "CAP_NET_BIND_SERVICE",
      "CAP_NET_BROADCAST",
      "CAP_NET_ADMIN",
      "CAP_NET_RAW",
      "CAP_IPC_LOCK",
      "CAP_IPC_OWNER",
      "CAP_SYS_MODULE",
      "CAP_SYS_RAWIO",
      "CAP_SYS_CHROOT",
      "CAP_SYS_PTRACE",
      "CAP_SYS_PACCT",
      "CAP_SYS_ADMIN",
      "CAP_SYS_BOOT",
      "CAP_SYS_NICE",
      "CAP_SYS_RESOURCE",
      "CAP_SYS_TIME",
      "CAP_SYS_TTY_CONFIG",
      "CAP_MKNOD",
      "CAP_LEASE",
      "CAP_AUDIT_WRITE",
      "CAP_AUDIT_CONTROL",
      "CAP_SETFCAP",
      "CAP_MAC_OVERRIDE",
      "CAP_MAC_ADMIN",
      "CAP_SYSLOG",
      "CAP_WAKE_ALARM",
      "CAP_BLOCK_SUSPEND",
      "CAP_AUDIT_READ",
      "CAP_PERFMON",
      "CAP_BPF",
      "CAP_CHECKPOINT_RESTORE",
  };
  return caps;
}

caf::expected<std::string> normalize_capability(std::string_view name) {
  std::string upper;
  upper.reserve(name.size() + 4);
  for (char c : name)
    upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "ALL") return upper;
  if (upper.rfind("CAP_", 0) != 0) upper = "CAP_" + upper;
  if (!contains(all_capabilities(), upper))
    return make_error(errc::invalid_argument, "unknown capability: " + go_quote(upper));
  return upper;
}

const std::vector<std::string>& available_capabilities() {
  static const std::vector<std::string> caps = [] {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    if (::syscall(SYS_capget, &header, data) != 0) return all_capabilities();
    uint64_t effective = data[0].effective | (uint64_t{data[1].effective} << 32);
    std::vector<std::string> out;
    const auto& all = all_capabilities();
    for (size_t i = 0; i < all.size(); ++i)
      if (effective & (uint64_t{1} << i)) out.push_back(all[i]);
    return out;
  }();
  return caps;
}

caf::expected<std::vector<std::string>>
container_capabilities(const host_config& host, const std::vector<std::string>& available) {
  if (host.privileged) return available;
  if (host.cap_add.empty() && host.cap_drop.empty()) return default_capabilities();
  std::vector<std::string> add, drop;
  for (const auto& c : host.cap_add) {
    auto n = normalize_capability(c);
    if (!n) return n.error();
    add.push_back(*n);
  }
  for (const auto& c : host.cap_drop) {
    auto n = normalize_capability(c);
    if (!n) return n.error();
    drop.push_back(*n);
  }
  std::vector<std::string> caps;
  if (contains(add, "ALL")) {
    for (const auto& c : available)
      if (!contains(drop, c)) caps.push_back(c);
  } else if (contains(drop, "ALL")) {
    for (const auto& c : add)
      add_unique(caps, c);
  } else {
    for (const auto& c : default_capabilities())
      if (!contains(drop, c)) caps.push_back(c);
    for (const auto& c : add)
      add_unique(caps, c);
  }
  return caps;
}

} // namespace berth::runtime
