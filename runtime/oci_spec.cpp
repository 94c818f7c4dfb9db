// The OCI runtime spec of a container: process, root, hostname, mounts, namespaces, cgroups,
// capabilities, seccomp, masked and read-only paths, as dockerd's createSpec builds them.
#include "runtime/oci_spec.hpp"

#include <algorithm>
#include <cctype>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "base/text_fields.hpp"
#include "runtime/go_text.hpp"
#include "runtime/oci_spec_parts.hpp"
#include "runtime/regular_file.hpp"
#include "runtime/seccomp_profile.hpp"
#include "runtime/security_options.hpp"

namespace berth::runtime {

namespace {

using json = nlohmann::json;

const std::string default_path_env = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const std::string docker_init = "/sbin/docker-init";
constexpr uint64_t docker_nofile = 1048576;

std::string env_key(const std::string& entry) {
  return entry.substr(0, entry.find('='));
}

/// dockerd's ReplaceOrAppendEnvValues: `overrides` replace entries of `defaults` by key, "KEY"
/// alone removes KEY, anything else is appended.
std::vector<std::string> replace_or_append(std::vector<std::string> defaults,
                                           const std::vector<std::string>& overrides) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < defaults.size(); ++i)
    index[env_key(defaults[i])] = i;
  std::vector<bool> removed(defaults.size(), false);
  for (const auto& value : overrides) {
    auto eq = value.find('=');
    if (eq == std::string::npos) {
      if (auto it = index.find(value); it != index.end()) removed[it->second] = true;
      continue;
    }
    if (auto it = index.find(value.substr(0, eq)); it != index.end()) {
      defaults[it->second] = value;
      removed[it->second] = false;
    } else {
      defaults.push_back(value);
      removed.push_back(false);
    }
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < defaults.size(); ++i)
    if (!removed[i]) out.push_back(std::move(defaults[i]));
  return out;
}

/// The rlimits: HostConfig.Ulimits, then the daemon's default-ulimits for the other names, then
/// RLIMIT_NOFILE 1048576 unless one of them set it (Docker 25+ containers inherit that from
/// containerd).
json rlimits(const host_config& h, const spec_defaults& defaults) {
  std::vector<ulimit_setting> merged = h.ulimits;
  auto named = [&](const std::string& name) {
    return std::any_of(merged.begin(), merged.end(),
                       [&](const ulimit_setting& u) { return u.name == name; });
  };
  for (const auto& u : defaults.ulimits)
    if (!named(u.name)) merged.push_back(u);
  auto out = json::array();
  for (const auto& u : merged) {
    std::string type = "RLIMIT_";
    for (char c : u.name)
      type += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    // -1 (unlimited) becomes RLIM_INFINITY, as Go's uint64(-1) does.
    out.push_back({{"type", type},
                   {"hard", static_cast<uint64_t>(u.hard)},
                   {"soft", static_cast<uint64_t>(u.soft)}});
  }
  if (!named("nofile"))
    out.push_back(
        {{"type", "RLIMIT_NOFILE"}, {"hard", defaults.nofile}, {"soft", defaults.nofile}});
  return out;
}

/// The seccomp object (null = no filter) for the container's security options and capabilities.
caf::expected<json> seccomp_for(const spec_inputs& in, const security_options& security,
                                const std::vector<std::string>& caps) {
  auto profile = security.seccomp;
  if (profile.empty()) {
    // Privileged containers run unfiltered unless a profile is named for the container itself.
    if (in.host.privileged) return json{};
    profile = in.defaults.seccomp_profile;
  }
  if (profile == "unconfined") return json{};
  if (profile.empty() || profile == "builtin") return default_seccomp_profile(caps);
  std::string text = profile;
  if (profile.front() != '{') {
    // A path (the daemon's seccomp-profile, or a path given to the API directly; the docker CLI
    // sends the file's content instead).
    auto content = read_regular_file(AT_FDCWD, profile, 0, 4 << 20, "seccomp profile " + profile);
    if (!content) return content.error();
    if (!*content)
      return make_error(errc::invalid_argument, "seccomp profile " + profile + " does not exist");
    text = std::move(**content);
  }
  auto parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded())
    return make_error(errc::invalid_argument,
                      "Decoding seccomp profile failed: invalid JSON in the profile");
  return seccomp_from_docker_profile(parsed, caps);
}

json namespace_entry(const char* type, const std::string& path = {}) {
  json ns = {{"type", type}};
  if (!path.empty()) ns["path"] = path;
  return ns;
}

/// The namespace of `type` for a PidMode/IpcMode: another container's (its `path`), the host's
/// (no entry), or a new one.
caf::error add_namespace(json& out, const char* type, const std::string& mode,
                         const std::string& path) {
  if (mode.rfind("container:", 0) == 0) {
    if (path.empty())
      return make_error(errc::internal,
                        std::string("no ") + type + " namespace was given for " + mode);
    out.push_back(namespace_entry(type, path));
  } else if (mode != "host") {
    out.push_back(namespace_entry(type));
  }
  return {};
}

caf::expected<json> namespaces(const spec_inputs& in) {
  const auto& h = in.host;
  auto out = json::array();
  out.push_back(namespace_entry("mount"));
  // Network: the pinned namespace (bridge, none, user networks, another container's; a new
  // empty one without a path or with NetworkDisabled), or the host's.
  if (in.config.network_disabled) {
    out.push_back(namespace_entry("network"));
  } else if (in.netns.what == network_namespace::kind::path) {
    out.push_back(namespace_entry("network", in.netns.path));
  }
  if (h.uts_mode != "host") out.push_back(namespace_entry("uts"));
  if (auto err = add_namespace(out, "pid", h.pid_mode, in.pid_namespace_path)) return err;
  if (auto err = add_namespace(out, "ipc", h.ipc_mode, in.ipc_namespace_path)) return err;
  // dockerd's default: a private cgroup namespace on cgroup v2, the host's on v1.
  bool private_cgroupns = h.cgroupns_mode == "private" || (h.cgroupns_mode.empty() && in.cgroup_v2);
  if (private_cgroupns) out.push_back(namespace_entry("cgroup"));
  return out;
}

bool sysctl_exists(const std::string& name) {
  auto path = "/proc/sys/" + name;
  std::replace(path.begin() + 10, path.end(), '.', '/');
  return ::access(path.c_str(), F_OK) == 0;
}

} // namespace

uint64_t default_nofile_limit() {
  uint64_t limit = docker_nofile;
  if (auto nr_open = sys::read_file("/proc/sys/fs/nr_open", 64)) {
    if (auto n = parse_u64(std::string_view(*nr_open).substr(0, nr_open->find('\n'))))
      limit = std::min(limit, *n);
  }
  const auto& caps = available_capabilities();
  if (std::find(caps.begin(), caps.end(), "CAP_SYS_RESOURCE") == caps.end()) {
    rlimit own{};
    if (::getrlimit(RLIMIT_NOFILE, &own) == 0 && own.rlim_max != RLIM_INFINITY)
      limit = std::min<uint64_t>(limit, own.rlim_max);
  }
  return limit;
}

caf::expected<std::vector<std::string>> container_command(const container_config& config,
                                                          const json& image_config) {
  auto merged = config;
  merge_image_config(merged, image_config);
  std::vector<std::string> args;
  if (merged.entrypoint) args = *merged.entrypoint;
  if (merged.cmd) args.insert(args.end(), merged.cmd->begin(), merged.cmd->end());
  if (args.empty()) return make_error(errc::invalid_argument, "no command specified");
  return args;
}

std::vector<std::string> container_env(const container_config& config, const json& image_config,
                                       const std::string& hostname) {
  auto merged = config;
  merge_image_config(merged, image_config);
  std::vector<std::string> base = {"PATH=" + default_path_env, "HOSTNAME=" + hostname};
  if (config.tty) base.emplace_back("TERM=xterm");
  return replace_or_append(std::move(base), merged.env);
}

const std::vector<std::string>& default_masked_paths() {
  static const std::vector<std::string> paths = [] {
    std::vector<std::string> p = {
        "/proc/asound",     "/proc/acpi",        "/proc/interrupts",
        "/proc/kcore",      "/proc/keys",        "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
        "/proc/scsi",       "/sys/firmware",     "/sys/devices/virtual/powercap",
    };
    // Per-CPU thermal throttle counters leak host activity (GHSA-6fw5-f8r9-fgfm).
    for (int cpu = 0; cpu < 4096; ++cpu) {
      auto dir = "/sys/devices/system/cpu/cpu" + std::to_string(cpu);
      struct stat st {};
      if (::stat(dir.c_str(), &st) != 0) {
        if (cpu > 0) break;
        continue;
      }
      auto throttle = dir + "/thermal_throttle";
      if (::stat(throttle.c_str(), &st) == 0) p.push_back(throttle);
    }
    return p;
  }();
  return paths;
}

const std::vector<std::string>& default_readonly_paths() {
  static const std::vector<std::string> paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                                 "/proc/sysrq-trigger"};
  return paths;
}

std::string container_cgroups_path(const host_config& h, const std::string& default_parent,
                                   const std::string& container_id) {
  auto parent = h.cgroup_parent.empty() ? default_parent : h.cgroup_parent;
  return clean_path(parent + "/" + container_id);
}

caf::expected<json> make_oci_spec(const spec_inputs& in) {
  const auto& h = in.host;
  auto security = parse_security_options(h.security_opt);
  if (!security) return security.error();
  auto caps = container_capabilities(h);
  if (!caps) return caps.error();
  auto args = in.args;
  if (args.empty()) {
    auto command = container_command(in.config, in.image_config);
    if (!command) return command.error();
    args = std::move(*command);
  }
  // --init (or the daemon's init) only in a private PID namespace: elsewhere there already is one.
  bool pid_private = h.pid_mode.empty();
  bool init = pid_private && h.init.value_or(in.defaults.init);
  if (init) {
    if (in.init_path.empty())
      return make_error(errc::not_implemented, "no init binary (docker-init) is configured");
    args.insert(args.begin(), {docker_init, "--"});
  }
  auto env = container_env(in.config, in.image_config, in.hostname);
  if (std::none_of(env.begin(), env.end(),
                   [](const std::string& e) { return env_key(e) == "HOME"; }))
    env.push_back("HOME=" + in.user.home);
  auto merged = in.config;
  merge_image_config(merged, in.image_config);
  auto cwd = merged.working_dir.empty() ? std::string("/") : merged.working_dir;

  json process = {
      {"terminal", in.config.tty},
      {"user",
       {{"uid", in.user.uid}, {"gid", in.user.gid}, {"additionalGids", in.user.additional_gids}}},
      {"args", args},
      {"env", env},
      {"cwd", cwd},
      {"capabilities",
       {{"bounding", *caps},
        {"effective", *caps},
        {"permitted", *caps},
        {"inheritable", json::array()},
        {"ambient", json::array()}}},
      {"rlimits", rlimits(h, in.defaults)},
      {"noNewPrivileges", security->no_new_privileges.value_or(in.defaults.no_new_privileges)},
      {"oomScoreAdj", h.oom_score_adj},
  };
  if (in.config.tty && (h.console_size[0] > 0 || h.console_size[1] > 0))
    process["consoleSize"] = {{"height", h.console_size[0]}, {"width", h.console_size[1]}};

  auto mounts = oci_mounts(in, *security, init);
  if (!mounts) return mounts.error();
  auto resources = oci_resources(in);
  if (!resources) return resources.error();
  auto ns = namespaces(in);
  if (!ns) return ns.error();
  auto seccomp = seccomp_for(in, *security, *caps);
  if (!seccomp) return seccomp.error();

  json linux_section = {
      {"namespaces", std::move(*ns)},
      {"devices", std::move(resources->devices)},
      {"resources", std::move(resources->resources)},
      {"cgroupsPath", container_cgroups_path(h, in.defaults.cgroup_parent, in.container_id)},
  };
  if (!mounts->rootfs_propagation.empty())
    linux_section["rootfsPropagation"] = mounts->rootfs_propagation;
  // HostConfig's lists replace the defaults even for privileged containers; privileged ones have
  // none by default.
  if (h.masked_paths) {
    linux_section["maskedPaths"] = *h.masked_paths;
  } else if (!h.privileged) {
    linux_section["maskedPaths"] = default_masked_paths();
  }
  if (h.readonly_paths) {
    linux_section["readonlyPaths"] = *h.readonly_paths;
  } else if (!h.privileged) {
    linux_section["readonlyPaths"] = default_readonly_paths();
  }
  if (!seccomp->is_null()) linux_section["seccomp"] = std::move(*seccomp);
  json sysctl = json::object();
  bool own_network =
      (in.netns.what == network_namespace::kind::path || in.config.network_disabled) &&
      h.network_mode.rfind("container:", 0) != 0;
  if (own_network) {
    // Unprivileged ping and low ports inside the container's own network namespace.
    if (sysctl_exists("net.ipv4.ping_group_range"))
      sysctl["net.ipv4.ping_group_range"] = "0 2147483647";
    if (sysctl_exists("net.ipv4.ip_unprivileged_port_start"))
      sysctl["net.ipv4.ip_unprivileged_port_start"] = "0";
  }
  if (!in.config.domainname.empty()) sysctl["kernel.domainname"] = in.config.domainname;
  for (const auto& [key, value] : h.sysctls)
    sysctl[key] = value;
  if (!sysctl.empty()) linux_section["sysctl"] = std::move(sysctl);

  json spec = {
      {"ociVersion", "1.0.2"},
      {"process", std::move(process)},
      {"root", {{"path", in.rootfs}, {"readonly", h.readonly_rootfs}}},
      {"mounts", std::move(mounts->mounts)},
      {"linux", std::move(linux_section)},
  };
  if (h.uts_mode != "host") spec["hostname"] = in.hostname;
  if (!h.annotations.empty()) spec["annotations"] = h.annotations;
  return spec;
}

} // namespace berth::runtime
