// The daemon's settings: dockerd's flags and daemon.json keys, typed, with dockerd's defaults.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/log.hpp"

namespace berth::config {

/// An OCI runtime the daemon may use (`runtimes` in daemon.json, `--add-runtime`).
struct runtime_entry {
  std::string path;              ///< binary name or absolute path
  std::vector<std::string> args; ///< extra arguments (`runtimeArgs`)
  bool operator==(const runtime_entry&) const = default;
};

/// One entry of `default-address-pools`: carve `/size` subnets out of `base`.
struct address_pool {
  std::string base;
  int size = 0;
  bool operator==(const address_pool&) const = default;
};

/// A default ulimit for containers (`default-ulimits`).
struct ulimit {
  std::string name;
  int64_t soft = 0;
  int64_t hard = 0;
  bool operator==(const ulimit&) const = default;
};

/// Everything berthd is configured with. Defaults are dockerd's where dockerd has the setting.
struct daemon_config {
  // Where it listens and keeps its files.
  std::vector<std::string> hosts{"unix:///run/berth/berth.sock"};
  std::string data_root = "/var/lib/berth";
  std::string exec_root = "/run/berth";
  std::string config_file = "/etc/berth/daemon.json";
  std::string pidfile; ///< empty: `<exec-root>/berthd.pid`
  std::string group = "docker";
  std::string metrics_addr = "127.0.0.1:9323"; ///< empty disables the metrics listener

  // TLS for TCP hosts.
  bool tls = false;
  bool tls_verify = false;
  std::string tls_ca_cert;
  std::string tls_cert;
  std::string tls_key;

  // Logging and identity.
  log::level log_level = log::level::info;
  bool debug = false;
  std::vector<std::string> labels;
  bool experimental = false;

  // Containers.
  bool live_restore = true;
  std::string default_runtime; ///< empty: probe crun, else runc
  std::map<std::string, runtime_entry> runtimes;
  std::string log_driver = "json-file";
  std::map<std::string, std::string> log_opts;
  std::string default_shm_size = "64M";
  std::map<std::string, ulimit> default_ulimits;
  std::string cgroup_parent;
  bool no_new_privileges = false;
  bool init = false;
  std::string seccomp_profile;
  int shutdown_timeout = 15;

  // Networking.
  std::string network_prefix = "berth"; ///< bridges <prefix>0 / <prefix>-<id>, veths, nft table
  std::string bridge; ///< attach the default network to this existing bridge
  std::string bip;    ///< CIDR of the default bridge
  std::string fixed_cidr;
  std::string default_bind_ip = "0.0.0.0";
  int mtu = 1500;
  bool icc = true;
  bool ip_forward = true;
  bool ip_masq = true;
  bool iptables = true;
  bool userland_proxy = true;
  std::vector<address_pool> default_address_pools;
  std::vector<std::string> dns;
  std::vector<std::string> dns_opts;
  std::vector<std::string> dns_search;

  // Registries.
  std::vector<std::string> insecure_registries;
  std::vector<std::string> registry_mirrors;
  int max_concurrent_downloads = 3;
  int max_concurrent_uploads = 5;
  int max_download_attempts = 5;
  /// daemon.json `proxies` (`--http-proxy`, `--https-proxy`, `--no-proxy`); empty: the
  /// daemon's environment decides (HTTP_PROXY...), as in dockerd.
  std::string http_proxy;
  std::string https_proxy;
  std::string no_proxy;

  // Storage.
  std::string storage_driver = "overlay2";
  std::vector<std::string> storage_opts;
  std::vector<std::string> exec_opts;
  std::map<std::string, bool> features;

  /// The pid file path, resolving the default.
  [[nodiscard]] std::string pidfile_path() const;

  /// Where per-registry certificates live: `certs.d` next to the config file (dockerd:
  /// /etc/docker/certs.d; Berth: /etc/berth/certs.d).
  [[nodiscard]] std::string registry_certs_dir() const;

  /// The effective log level (`debug: true` wins, as in dockerd).
  [[nodiscard]] log::level effective_log_level() const;
};

} // namespace berth::config
