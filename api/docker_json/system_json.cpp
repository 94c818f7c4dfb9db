// The JSON of GET /version and GET /info.
#include "api/docker_json/system_json.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <dirent.h>
#include <thread>

#include "api/api_version.hpp"
#include "base/proxy_url.hpp"
#include "base/time.hpp"
#include "berth/build_info.hpp"
#include "config/daemon_config.hpp"
#include "registry/proxy_config.hpp"
#include "registry/registry_config.hpp"

namespace berth::api {

namespace {

using json = nlohmann::json;

std::string prefix_text(const registry::ip_prefix& p) {
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(p.v6 ? AF_INET6 : AF_INET, p.bytes.data(), text, sizeof text);
  return std::string(text) + "/" + std::to_string(p.bits);
}

// dockerd's RegistryConfig: insecure CIDRs (loopback always), an index entry for Docker Hub
// with its mirrors and one per insecure registry named by host, the mirrors normalised.
json registry_config_json(const config::daemon_config& cfg) {
  auto rc = registry::make_registry_config(cfg.insecure_registries, cfg.registry_mirrors,
                                           cfg.registry_certs_dir());
  registry::registry_config config = rc ? std::move(*rc) : registry::registry_config{};
  // dockerd lists the configured CIDRs, then its loopback defaults.
  const std::vector<std::string> loopback{"::1/128", "127.0.0.0/8"};
  json cidrs = json::array();
  for (const auto& p : config.insecure_cidrs)
    if (auto text = prefix_text(p);
        std::find(loopback.begin(), loopback.end(), text) == loopback.end())
      cidrs.push_back(text);
  for (const auto& text : loopback)
    cidrs.push_back(text);
  json index{
      {"docker.io",
       {{"Name", "docker.io"}, {"Mirrors", config.mirrors}, {"Secure", true}, {"Official", true}}}};
  for (const auto& host : config.insecure_hosts)
    index[host] = {
        {"Name", host}, {"Mirrors", json::array()}, {"Secure", false}, {"Official", false}};
  return json{{"AllowNondistributableArtifactsCIDRs", json::array()},
              {"AllowNondistributableArtifactsHostnames", json::array()},
              {"InsecureRegistryCIDRs", std::move(cidrs)},
              {"IndexConfigs", std::move(index)},
              {"Mirrors", config.mirrors}};
}

std::string compiler() {
  return std::string("g++ ") + __VERSION__;
}

int count_entries(const char* dir) {
  int n = 0;
  if (DIR* d = ::opendir(dir)) {
    while (auto* e = ::readdir(d))
      if (e->d_name[0] != '.') ++n;
    ::closedir(d);
  }
  return n;
}

json runtimes_json(const runtime::runtime_catalog& catalog) {
  json out = json::object();
  for (const auto& [name, entry] : catalog.runtimes) {
    json r{{"path", entry.path}};
    if (!entry.args.empty()) r["runtimeArgs"] = entry.args;
    out[name] = std::move(r);
  }
  return out;
}

json warnings(const runtime::host_info& host) {
  json out = json::array();
  if (!host.swap_limit) out.push_back("WARNING: No swap limit support");
  if (!host.bridge_nf_iptables) out.push_back("WARNING: bridge-nf-call-iptables is disabled");
  if (!host.bridge_nf_ip6tables) out.push_back("WARNING: bridge-nf-call-ip6tables is disabled");
  return out;
}

json address_pools(const config::daemon_config& cfg) {
  json out = json::array();
  if (cfg.default_address_pools.empty()) {
    // dockerd's defaults when none are configured.
    out.push_back({{"Base", "172.17.0.0/16"}, {"Size", 16}});
    out.push_back({{"Base", "172.18.0.0/16"}, {"Size", 16}});
    out.push_back({{"Base", "172.19.0.0/16"}, {"Size", 16}});
    out.push_back({{"Base", "172.20.0.0/14"}, {"Size", 16}});
    out.push_back({{"Base", "172.24.0.0/14"}, {"Size", 16}});
    out.push_back({{"Base", "172.28.0.0/14"}, {"Size", 16}});
    out.push_back({{"Base", "192.168.0.0/16"}, {"Size", 20}});
    return out;
  }
  for (const auto& p : cfg.default_address_pools)
    out.push_back({{"Base", p.base}, {"Size", p.size}});
  return out;
}

} // namespace

json version_json(const api_context& ctx) {
  const auto& host = ctx.host();
  json details{{"ApiVersion", max_api_version.to_string()},
               {"Arch", host.go_arch},
               {"BuildTime", build_info::build_time},
               {"Experimental", ctx.config()->experimental ? "true" : "false"},
               {"GitCommit", build_info::git_commit},
               {"GoVersion", compiler()},
               {"KernelVersion", host.kernel_version},
               {"MinAPIVersion", min_api_version.to_string()},
               {"Os", "linux"}};
  json components = json::array();
  components.push_back(
      {{"Name", "Engine"}, {"Version", build_info::version}, {"Details", details}});
  for (const auto& [name, entry] : ctx.runtimes().runtimes)
    components.push_back({{"Name", name}, {"Version", ""}, {"Details", {{"Path", entry.path}}}});
  return json{{"Platform", {{"Name", "Berth Engine"}}},
              {"Components", components},
              {"Version", build_info::version},
              {"ApiVersion", max_api_version.to_string()},
              {"MinAPIVersion", min_api_version.to_string()},
              {"GitCommit", build_info::git_commit},
              {"GoVersion", compiler()},
              {"Os", "linux"},
              {"Arch", host.go_arch},
              {"KernelVersion", host.kernel_version},
              {"BuildTime", build_info::build_time}};
}

json info_json(const api_context& ctx, const info_counts& counts) {
  const auto& host = ctx.host();
  auto cfg = ctx.config();
  json driver_status = json::array(
      {json::array({"Backing Filesystem", host.backing_filesystem}),
       json::array({"Supports d_type", host.supports_d_type ? "true" : "false"}),
       json::array({"Using metacopy", "false"}), json::array({"Native Overlay Diff", "true"}),
       json::array({"userxattr", "false"})});
  auto registry_config = registry_config_json(*cfg);
  auto proxies = registry::resolve_proxy_settings(cfg->http_proxy, cfg->https_proxy, cfg->no_proxy,
                                                  registry::process_environment());
  json security = json::array({"name=seccomp,profile=builtin"});
  if (cfg->cgroup_parent.empty() && host.cgroup_version == "2") security.push_back("name=cgroupns");
  return json{
      {"ID", ctx.daemon_id()},
      {"Containers", counts.containers.total},
      {"ContainersRunning", counts.containers.running},
      {"ContainersPaused", counts.containers.paused},
      {"ContainersStopped", counts.containers.stopped},
      {"Images", counts.images.images},
      {"Driver", cfg->storage_driver},
      {"DriverStatus", driver_status},
      {"DockerRootDir", cfg->data_root},
      {"Plugins",
       {{"Volume", json::array({"local"})},
        {"Network", json::array({"bridge", "host", "none", "null"})},
        {"Authorization", nullptr},
        {"Log", json::array({"json-file", "none"})}}},
      {"MemoryLimit", host.memory_limit},
      {"SwapLimit", host.swap_limit},
      {"KernelMemoryTCP", false},
      {"CpuCfsPeriod", host.cpu_cfs_period},
      {"CpuCfsQuota", host.cpu_cfs_quota},
      {"CPUShares", host.cpu_shares},
      {"CPUSet", host.cpuset},
      {"PidsLimit", host.pids_limit},
      {"OomKillDisable", host.oom_kill_disable},
      {"IPv4Forwarding", host.ipv4_forwarding},
      {"BridgeNfIptables", host.bridge_nf_iptables},
      {"BridgeNfIp6tables", host.bridge_nf_ip6tables},
      {"Debug", cfg->effective_log_level() == log::level::debug},
      {"NFd", count_entries("/proc/self/fd")},
      {"NGoroutines", count_entries("/proc/self/task")},
      {"SystemTime", format_rfc3339(unix_nanos_now())},
      {"LoggingDriver", cfg->log_driver},
      {"CgroupDriver", host.cgroup_driver},
      {"CgroupVersion", host.cgroup_version},
      {"NEventsListener", counts.events.subscribers},
      {"KernelVersion", host.kernel_version},
      {"OperatingSystem", host.operating_system},
      {"OSVersion", host.os_version},
      {"OSType", "linux"},
      {"Architecture", host.architecture},
      {"IndexServerAddress", "https://index.docker.io/v1/"},
      {"RegistryConfig", registry_config},
      {"NCPU", host.ncpu},
      {"MemTotal", host.mem_total},
      {"GenericResources", nullptr},
      // As dockerd: the configured proxies, else the daemon's environment; passwords masked.
      {"HttpProxy", mask_proxy_credentials(proxies.http.value)},
      {"HttpsProxy", mask_proxy_credentials(proxies.https.value)},
      {"NoProxy", proxies.no_proxy.value},
      {"Name", host.hostname},
      {"Labels", cfg->labels},
      {"ExperimentalBuild", cfg->experimental},
      {"ServerVersion", build_info::version},
      {"Runtimes", runtimes_json(ctx.runtimes())},
      {"DefaultRuntime", ctx.runtimes().default_runtime},
      {"Swarm",
       {{"NodeID", ""},
        {"NodeAddr", ""},
        {"LocalNodeState", "inactive"},
        {"ControlAvailable", false},
        {"Error", ""},
        {"RemoteManagers", nullptr}}},
      {"LiveRestoreEnabled", cfg->live_restore},
      {"Isolation", ""},
      {"InitBinary", "docker-init"},
      {"ContainerdCommit", {{"ID", ""}, {"Expected", ""}}},
      {"RuncCommit", {{"ID", ""}, {"Expected", ""}}},
      {"InitCommit", {{"ID", ""}, {"Expected", ""}}},
      {"SecurityOptions", security},
      {"DefaultAddressPools", address_pools(*cfg)},
      {"CDISpecDirs", json::array()},
      {"Warnings", warnings(host)},
  };
}

} // namespace berth::api
