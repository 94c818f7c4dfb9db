// The blocking steps of a container's life.
#include "actors/container_lifecycle.hpp"

#include <sys/stat.h>

#include "base/error.hpp"
#include "base/log.hpp"
#include "base/sys.hpp"
#include "base/units.hpp"
#include "net/netns.hpp"
#include "runtime/container_files.hpp"
#include "runtime/oci_spec.hpp"
#include "runtime/user_lookup.hpp"
#include "storage/overlay_mount.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"containers"};

caf::error mount_rootfs(const container_record& rec, const container_paths& paths) {
  if (storage::is_mount_point(paths.rootfs)) return {};
  return storage::mount_overlay(rec.lower_dirs, paths.layer_dir + "/diff",
                                paths.layer_dir + "/work", paths.rootfs);
}

caf::error write_etc_files(const container_record& rec, const container_paths& paths,
                           const daemon_context& ctx, const start_plan& plan) {
  auto host_resolv = sys::read_file("/etc/resolv.conf", 1 << 20);
  // With the embedded DNS the container asks it; it forwards other names to the host's servers.
  // Otherwise --dns, or the daemon's --dns, or the host's servers.
  auto dns = !plan.nameservers.empty() ? plan.nameservers
             : !rec.host.dns.empty()   ? rec.host.dns
                                       : ctx.config.dns;
  const auto& search = rec.host.dns_search.empty() ? ctx.config.dns_search : rec.host.dns_search;
  const auto& options = rec.host.dns_options.empty() ? ctx.config.dns_opts : rec.host.dns_options;
  std::string resolv = runtime::resolv_conf_file(
      host_resolv ? *host_resolv : "", plan.mode == network_mode::host, dns, search, options);
  if (auto err = sys::write_file_atomic(paths.hostname, runtime::hostname_file(rec.hostname)))
    return err;
  if (auto err = sys::write_file_atomic(
          paths.hosts, runtime::hosts_file(rec.hostname, rec.config.domainname, plan.address,
                                           rec.host.extra_hosts, plan.gateway)))
    return err;
  return sys::write_file_atomic(paths.resolv_conf, resolv);
}

// json-file rotation settings: the container's log-opts, else the daemon's, else our defaults.
void log_rotation(const container_record& rec, const daemon_context& ctx, uint64_t& max_size,
                  int& max_files) {
  auto opt = [&](const std::string& key) -> std::string {
    auto i = rec.host.log.config.find(key);
    if (i != rec.host.log.config.end()) return i->second;
    auto d = ctx.config.log_opts.find(key);
    return d != ctx.config.log_opts.end() ? d->second : std::string{};
  };
  if (auto size = opt("max-size"); !size.empty())
    if (auto n = units::parse_human_size(size)) max_size = static_cast<uint64_t>(*n);
  if (auto files = opt("max-file"); !files.empty())
    max_files = std::max(1, std::atoi(files.c_str()));
}

std::string log_driver(const container_record& rec, const daemon_context& ctx) {
  return rec.host.log.type.empty() ? ctx.config.log_driver : rec.host.log.type;
}

} // namespace

network_mode network_mode_of(const container_record& rec) {
  const auto& mode = rec.host.network_mode;
  if (mode == "host") return network_mode::host;
  if (mode.rfind("container:", 0) == 0) return network_mode::container;
  return network_mode::own;
}

std::string network_container_of(const container_record& rec) {
  return network_mode_of(rec) == network_mode::container ? rec.host.network_mode.substr(10) : "";
}

std::string runtime_root(const daemon_context& ctx, const std::string& runtime) {
  return ctx.config.exec_root + "/runtime/" + runtime;
}

caf::error create_container_layer(const container_paths& paths) {
  if (auto err = sys::make_dirs(paths.dir, 0710)) return err;
  for (const char* sub : {"/diff", "/work", "/merged"})
    if (auto err = sys::make_dirs(paths.layer_dir + sub, 0755)) return err;
  return {};
}

caf::error prepare_sandbox(const container_record& rec, const container_paths& paths,
                           const daemon_context& ctx) {
  for (const auto& dir : {paths.dir, paths.bundle, ctx.config.exec_root + "/netns"})
    if (auto err = sys::make_dirs(dir, 0711)) return err;
  (void)sys::remove_all(paths.shim_state); // a previous run's sockets and exit file
  if (auto err = sys::make_dirs(paths.shim_state, 0700)) return err;
  if (auto err = mount_rootfs(rec, paths)) return err;
  if (network_mode_of(rec) == network_mode::own && !sys::exists(paths.netns))
    if (auto err = net::create_netns(paths.netns)) {
      (void)storage::unmount(paths.rootfs);
      return err;
    }
  return {};
}

caf::expected<runtime::shim_started> create_under_shim(const container_record& rec,
                                                       const container_paths& paths,
                                                       const daemon_context& ctx,
                                                       const start_plan& plan) {
  auto user = runtime::resolve_user(paths.rootfs, rec.config.user, rec.host.group_add);
  if (!user) return user.error();
  // A container sharing another's network uses that container's /etc files.
  auto files = plan.mode == network_mode::container ? plan.files_from : paths;
  if (plan.mode != network_mode::container)
    if (auto err = write_etc_files(rec, paths, ctx, plan)) return err;

  runtime::spec_inputs in;
  in.container_id = rec.id;
  in.config = rec.config;
  in.host = rec.host;
  in.image_config = rec.image_config;
  in.rootfs = paths.rootfs;
  in.hostname = plan.mode == network_mode::container ? plan.hostname : rec.hostname;
  in.user = *user;
  in.hosts_path = files.hosts;
  in.hostname_path = files.hostname;
  in.resolv_conf_path = files.resolv_conf;
  if (plan.mode == network_mode::host) {
    in.netns.what = runtime::network_namespace::kind::host;
  } else {
    in.netns.what = runtime::network_namespace::kind::path;
    in.netns.path = plan.netns_path;
  }
  in.volumes = plan.volumes;
  if (auto init = runtime::find_executable("tini-static")) in.init_path = *init;
  in.args.push_back(rec.path);
  in.args.insert(in.args.end(), rec.args.begin(), rec.args.end());
  in.cgroup_v2 = ctx.host.cgroup_version == "2";
  in.swap_accounting = ctx.host.swap_limit;
  in.defaults.init = ctx.config.init;
  in.defaults.nofile = runtime::default_nofile_limit();
  if (auto shm = units::parse_ram_bytes(ctx.config.default_shm_size)) in.defaults.shm_size = *shm;
  for (const auto& [name, u] : ctx.config.default_ulimits)
    in.defaults.ulimits.push_back({name, u.soft, u.hard});
  in.defaults.no_new_privileges = ctx.config.no_new_privileges;
  in.defaults.seccomp_profile = ctx.config.seccomp_profile;
  if (!ctx.config.cgroup_parent.empty()) in.defaults.cgroup_parent = ctx.config.cgroup_parent;
  auto spec = runtime::make_oci_spec(in);
  if (!spec) return spec.error();
  if (auto err = sys::write_file_atomic(paths.bundle + "/config.json", spec->dump(), 0600))
    return err;

  auto entry = ctx.runtimes.runtimes.find(rec.runtime);
  if (entry == ctx.runtimes.runtimes.end())
    return make_error(errc::invalid_argument, "unknown or invalid runtime name: " + rec.runtime);
  runtime::shim_launch launch;
  launch.shim_binary = ctx.shim_binary;
  launch.id = rec.id;
  launch.bundle = paths.bundle;
  launch.runtime_path = entry->second.path;
  launch.runtime_args = entry->second.args;
  launch.runtime_root = runtime_root(ctx, rec.runtime);
  launch.state_dir = paths.shim_state;
  launch.log_path = log_driver(rec, ctx) == "none" ? std::string{} : paths.log;
  log_rotation(rec, ctx, launch.log_max_size, launch.log_max_files);
  launch.tty = rec.config.tty;
  launch.open_stdin = rec.config.open_stdin;
  launch.stdin_once = rec.config.stdin_once;
  if (rec.host.console_size[0] != 0 && rec.host.console_size[1] != 0) {
    launch.rows = rec.host.console_size[0];
    launch.cols = rec.host.console_size[1];
  }
  return runtime::launch_shim(launch, std::chrono::seconds(60));
}

caf::error cleanup_after_exit(const container_paths& paths) {
  caf::error first;
  if (auto err = storage::unmount(paths.rootfs)) first = err;
  if (auto err = net::remove_netns(paths.netns); err && !first) first = err;
  if (auto err = sys::remove_all(paths.bundle); err && !first) first = err;
  if (first) lg.warn("cleanup after exit was incomplete", {{"error", error_message(first)}});
  return first;
}

caf::error remove_container_data(const container_paths& paths) {
  (void)cleanup_after_exit(paths);
  if (auto err = sys::remove_all(paths.layer_dir)) return err;
  return sys::remove_all(paths.dir);
}

} // namespace berth::actors
