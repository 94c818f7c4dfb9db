// The mount list of a container's OCI spec, as dockerd's withMounts builds it.
#include "runtime/oci_mounts.hpp"

#include <algorithm>

#include "base/error.hpp"
#include "runtime/go_text.hpp"
#include "runtime/mount_spec.hpp"
#include "runtime/oci_spec_parts.hpp"

namespace berth::runtime {

namespace {

using json = nlohmann::json;

struct spec_mount {
  std::string destination;
  std::string type;
  std::string source;
  std::vector<std::string> options;
};

/// A mount the container asked for (or the daemon's per-container files), before options.
struct user_mount {
  std::string destination;
  std::string source;
  bool tmpfs = false;
  std::string tmpfs_data; ///< "size=64m,exec"
  bool writable = true;
  std::string propagation; ///< "" = none given
  bool non_recursive = false;
  bool readonly_non_recursive = false;   ///< BindOptions.ReadOnlyNonRecursive
  bool readonly_force_recursive = false; ///< BindOptions.ReadOnlyForceRecursive
};

const std::string docker_init = "/sbin/docker-init";

std::vector<spec_mount> default_mounts(int64_t shm_size) {
  return {
      {"/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}},
      {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}},
      {"/dev/pts",
       "devpts",
       "devpts",
       {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
      {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}},
      {"/sys/fs/cgroup", "cgroup", "cgroup", {"ro", "nosuid", "noexec", "nodev"}},
      {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}},
      {"/dev/shm",
       "tmpfs",
       "shm",
       {"nosuid", "noexec", "nodev", "mode=1777", "size=" + std::to_string(shm_size)}},
  };
}

void remove_option(std::vector<std::string>& options, const std::string& option) {
  options.erase(std::remove(options.begin(), options.end(), option), options.end());
}

/// The mounts the container asked for, plus its generated files; fails on a duplicate target.
caf::expected<std::vector<user_mount>> collect_user_mounts(const spec_inputs& in) {
  const auto& h = in.host;
  std::vector<user_mount> out;
  for (const auto& spec : h.binds) {
    auto m = parse_bind(spec);
    if (!m) return m.error();
    if (m->type != "bind") continue; // volumes arrive resolved in in.volumes
    out.push_back({m->target,
                   m->source,
                   false,
                   {},
                   !m->read_only,
                   m->bind_propagation.empty() ? "rprivate" : m->bind_propagation,
                   false});
  }
  for (const auto& m : h.mounts) {
    auto target = clean_path(m.target);
    if (m.type == "bind") {
      out.push_back({target,
                     clean_path(m.source),
                     false,
                     {},
                     !m.read_only,
                     m.bind_propagation.empty() ? "rprivate" : m.bind_propagation,
                     m.bind_non_recursive,
                     m.bind_readonly_non_recursive,
                     m.bind_readonly_force_recursive});
    } else if (m.type == "tmpfs") {
      auto data = tmpfs_option_string(m);
      if (!data) return data.error();
      out.push_back({target, "tmpfs", true, *data, true, {}, false});
    }
  }
  for (const auto& v : in.volumes)
    out.push_back({clean_path(v.destination), v.source, false, {}, !v.read_only, {}, false});
  for (const auto& [destination, data] : h.tmpfs)
    out.push_back({clean_path(destination), "tmpfs", true, data, true, {}, false});
  auto taken = [&](const std::string& destination) {
    return std::any_of(out.begin(), out.end(),
                       [&](const user_mount& m) { return m.destination == destination; });
  };
  if (h.ipc_mode == "host" && !taken("/dev/shm"))
    out.push_back({"/dev/shm", "/dev/shm", false, {}, true, "rprivate", false});
  // dockerd's network files: resolv.conf, hostname, hosts; a user mount at the same place wins.
  bool writable = !h.readonly_rootfs;
  for (const auto& [destination, source] :
       {std::pair{std::string("/etc/resolv.conf"), in.resolv_conf_path},
        std::pair{std::string("/etc/hostname"), in.hostname_path},
        std::pair{std::string("/etc/hosts"), in.hosts_path}}) {
    if (!source.empty() && !taken(destination))
      out.push_back({destination, source, false, {}, writable, "rprivate", false});
  }
  for (size_t i = 0; i < out.size(); ++i) {
    for (size_t j = i + 1; j < out.size(); ++j) {
      if (out[i].destination == out[j].destination)
        return make_error(errc::invalid_argument, "Duplicate mount point: " + out[i].destination);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const user_mount& a, const user_mount& b) {
    return mount_depth(a.destination) < mount_depth(b.destination);
  });
  return out;
}

json to_json(const spec_mount& m) {
  return {{"destination", m.destination},
          {"type", m.type},
          {"source", m.source},
          {"options", m.options}};
}

} // namespace

size_t mount_depth(std::string_view destination) {
  auto p = clean_path(destination);
  return static_cast<size_t>(std::count(p.begin(), p.end(), '/'));
}

caf::expected<spec_mounts> oci_mounts(const spec_inputs& in, const security_options& security,
                                      bool init) {
  const auto& h = in.host;
  auto users = collect_user_mounts(in);
  if (!users) return users.error();
  auto user_has = [&](const std::string& destination) {
    return std::any_of(users->begin(), users->end(),
                       [&](const user_mount& m) { return m.destination == destination; });
  };
  bool user_dev = user_has("/dev");
  auto shm_size = h.shm_size > 0 ? h.shm_size : in.defaults.shm_size;
  std::vector<spec_mount> mounts;
  for (auto& m : default_mounts(shm_size)) {
    if (user_has(m.destination)) continue;
    if (user_dev && m.destination.rfind("/dev/", 0) == 0) continue;
    if (m.destination == "/dev/shm" && h.ipc_mode == "none") continue;
    mounts.push_back(std::move(m));
  }
  if (init) mounts.push_back({docker_init, "bind", in.init_path, {"bind", "ro"}});
  spec_mounts out;
  for (const auto& u : *users) {
    if (u.tmpfs) {
      auto options = tmpfs_mount_options(u.tmpfs_data);
      if (!options) return options.error();
      mounts.push_back({u.destination, "tmpfs", "tmpfs", *options});
      continue;
    }
    std::vector<std::string> options = {u.non_recursive ? "bind" : "rbind"};
    if (!u.writable) {
      if (u.readonly_non_recursive && u.readonly_force_recursive)
        return make_error(errc::invalid_argument,
                          "mount options conflict: ReadOnlyNonRecursive && ReadOnlyForceRecursive");
      if (u.readonly_force_recursive && !in.defaults.recursive_readonly)
        return make_error(errc::invalid_argument,
                          "recursively read-only mounts are not supported by the runtime");
      bool recursive = in.defaults.recursive_readonly && !u.readonly_non_recursive;
      options.emplace_back(recursive ? "rro" : "ro");
    }
    if (!u.propagation.empty()) options.push_back(u.propagation);
    if (u.propagation == "shared" || u.propagation == "rshared") {
      out.rootfs_propagation = "shared";
    } else if ((u.propagation == "slave" || u.propagation == "rslave") &&
               out.rootfs_propagation != "shared") {
      out.rootfs_propagation = "rslave";
    }
    mounts.push_back({u.destination, "bind", u.source, std::move(options)});
  }
  if (h.readonly_rootfs) {
    for (auto& m : mounts) {
      const auto& d = m.destination;
      if (d == "/proc" || d == "/dev/pts" || d == "/dev/shm" || d == "/dev/mqueue" || d == "/dev")
        continue;
      if (user_has(d)) continue;
      if (std::find(m.options.begin(), m.options.end(), "ro") == m.options.end())
        m.options.emplace_back("ro");
    }
  }
  if (h.privileged) {
    for (auto& m : mounts)
      if (m.destination == "/sys") remove_option(m.options, "ro");
  }
  if (security.writable_cgroups.value_or(h.privileged)) {
    for (auto& m : mounts)
      if (m.type == "cgroup") remove_option(m.options, "ro");
  }
  for (const auto& m : mounts)
    out.mounts.push_back(to_json(m));
  return out;
}

} // namespace berth::runtime
