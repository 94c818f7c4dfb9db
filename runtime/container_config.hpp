// Docker's container configuration as it arrives in POST /containers/create: `Config` (what runs)
// and `HostConfig` (how it runs on this host), parsed, validated with dockerd's error messages,
// and rendered back for inspect. Pure data: no I/O, except `host_limits::current()` and
// `validate_bind_sources`, which look at this host.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

namespace berth::runtime {

struct port_binding {
  std::string host_ip;
  std::string host_port;
  bool operator==(const port_binding&) const = default;
};

struct restart_policy {
  std::string name = "no"; ///< "no", "always", "unless-stopped", "on-failure" ("" = "no")
  int maximum_retry_count = 0;
  bool operator==(const restart_policy&) const = default;
};

struct ulimit_setting {
  std::string name; ///< "nofile", "nproc", ...
  int64_t soft = 0; ///< -1 = unlimited
  int64_t hard = 0; ///< -1 = unlimited
  bool operator==(const ulimit_setting&) const = default;
};

struct log_config {
  std::string type;                          ///< "" = daemon default
  std::map<std::string, std::string> config; ///< max-size, max-file, ...
  bool operator==(const log_config&) const = default;
};

/// HEALTHCHECK / --health-*: durations in nanoseconds, 0 = inherit or default.
struct healthcheck_config {
  std::vector<std::string> test; ///< ["CMD", ...], ["CMD-SHELL", "..."], ["NONE"], or empty
  int64_t interval = 0;
  int64_t timeout = 0;
  int64_t start_period = 0;
  int64_t start_interval = 0;
  int retries = 0;
  bool operator==(const healthcheck_config&) const = default;
};

/// One entry of HostConfig.Mounts (--mount), or a parsed HostConfig.Binds entry (-v).
struct mount_config {
  std::string type; ///< "bind", "volume", "tmpfs"
  std::string source;
  std::string target;
  bool read_only = false;
  std::string consistency;
  bool has_bind_options = false; ///< BindOptions was given (rendered back only then)
  std::string bind_propagation;  ///< BindOptions.Propagation
  bool bind_non_recursive = false;
  bool bind_create_mountpoint = false;
  bool bind_readonly_non_recursive = false;
  bool bind_readonly_force_recursive = false;
  bool has_volume_options = false;
  bool volume_no_copy = false; ///< VolumeOptions.NoCopy
  std::map<std::string, std::string> volume_labels;
  std::string volume_subpath;
  std::string volume_driver;
  std::map<std::string, std::string> volume_driver_options;
  bool has_tmpfs_options = false;
  int64_t tmpfs_size = 0;                              ///< TmpfsOptions.SizeBytes
  uint32_t tmpfs_mode = 0;                             ///< TmpfsOptions.Mode
  std::vector<std::vector<std::string>> tmpfs_options; ///< TmpfsOptions.Options ([["exec"]])
  bool operator==(const mount_config&) const = default;
};

/// Docker's `Config`.
struct container_config {
  std::string hostname;
  std::string domainname;
  std::string user;
  bool attach_stdin = false;
  bool attach_stdout = false;
  bool attach_stderr = false;
  bool tty = false;
  bool open_stdin = false;
  bool stdin_once = false;
  std::vector<std::string> env;
  std::optional<std::vector<std::string>> cmd;        ///< nullopt = from the image
  std::optional<std::vector<std::string>> entrypoint; ///< nullopt = from the image
  std::string image;                                  ///< as the client named it
  std::set<std::string> volumes;                      ///< anonymous volume paths
  std::string working_dir;                            ///< cleaned, absolute or ""
  std::map<std::string, std::string> labels;
  std::set<std::string> exposed_ports; ///< "80/tcp"
  std::string stop_signal;
  std::optional<int> stop_timeout;
  std::optional<healthcheck_config> healthcheck;
  std::vector<std::string> on_build;
  std::optional<std::vector<std::string>> shell;
  bool args_escaped = false;
  bool network_disabled = false;
  std::string mac_address;
  bool operator==(const container_config&) const = default;
};

/// Docker's `HostConfig`, the parts Berth acts on (unknown fields are accepted and ignored, as
/// dockerd does for fields it does not know).
struct host_config {
  std::vector<std::string> binds; ///< "-v" specs: "/host:/ctr[:opts]", "vol:/ctr[:opts]"
  std::string container_id_file;
  log_config log;
  std::string network_mode = "bridge"; ///< "default" and "" are normalized to "bridge"
  std::map<std::string, std::vector<port_binding>> port_bindings;
  restart_policy restart;
  bool auto_remove = false;
  std::string volume_driver;
  std::vector<std::string> volumes_from;
  std::array<uint32_t, 2> console_size{}; ///< [height, width]; [0, 0] = not given
  std::map<std::string, std::string> annotations;
  std::vector<std::string> cap_add;  ///< normalized "CAP_X" (or "ALL")
  std::vector<std::string> cap_drop; ///< normalized "CAP_X" (or "ALL")
  std::string cgroupns_mode;         ///< "", "private", "host"
  std::vector<std::string> dns;
  std::vector<std::string> dns_options;
  std::vector<std::string> dns_search;
  std::vector<std::string> extra_hosts; ///< "name:ip" (or "name=ip")
  std::vector<std::string> group_add;
  std::string ipc_mode; ///< "" (daemon default, private), "private", "shareable", "host", "none",
                        ///< "container:<id>"
  std::string cgroup;
  std::vector<std::string> links;
  int oom_score_adj = 0;
  std::string pid_mode; ///< "", "host", "container:<id>"
  bool privileged = false;
  bool publish_all_ports = false;
  bool readonly_rootfs = false;
  std::vector<std::string> security_opt;
  std::map<std::string, std::string> storage_opt;
  std::map<std::string, std::string> tmpfs; ///< path → options ("size=64m,mode=1777")
  std::string uts_mode;                     ///< "" or "host"
  std::string userns_mode;
  int64_t shm_size = 0; ///< 0 = daemon default
  std::map<std::string, std::string> sysctls;
  std::string runtime; ///< "" = daemon default
  std::string isolation;
  std::optional<std::vector<std::string>> masked_paths;   ///< nullopt = defaults
  std::optional<std::vector<std::string>> readonly_paths; ///< nullopt = defaults
  std::optional<bool> init;                               ///< nullopt = daemon default
  std::vector<mount_config> mounts;
  // Resources.
  int64_t cpu_shares = 0;
  int64_t memory = 0;
  int64_t nano_cpus = 0;
  std::string cgroup_parent;
  uint16_t blkio_weight = 0;
  std::vector<nlohmann::json> blkio_weight_device;     ///< {"Path", "Weight"}, as given
  std::vector<nlohmann::json> blkio_device_read_bps;   ///< {"Path", "Rate"}, as given
  std::vector<nlohmann::json> blkio_device_write_bps;  ///< {"Path", "Rate"}, as given
  std::vector<nlohmann::json> blkio_device_read_iops;  ///< {"Path", "Rate"}, as given
  std::vector<nlohmann::json> blkio_device_write_iops; ///< {"Path", "Rate"}, as given
  int64_t cpu_period = 0;
  int64_t cpu_quota = 0;
  int64_t cpu_realtime_period = 0;
  int64_t cpu_realtime_runtime = 0;
  std::string cpuset_cpus;
  std::string cpuset_mems;
  std::vector<nlohmann::json> devices; ///< DeviceMapping entries, as given
  std::vector<std::string> device_cgroup_rules;
  std::vector<nlohmann::json> device_requests; ///< as given (GPU requests; not supported)
  int64_t memory_reservation = 0;
  int64_t memory_swap = 0;        ///< 0 = default (twice Memory), -1 = unlimited
  int64_t memory_swappiness = -1; ///< -1 = unset
  bool oom_kill_disable = false;
  std::optional<int64_t> pids_limit; ///< nullopt = unlimited (values <= 0 are parsed as nullopt)
  std::vector<ulimit_setting> ulimits;
  int64_t io_maximum_iops = 0;      ///< Windows only: refused when set
  int64_t io_maximum_bandwidth = 0; ///< Windows only: refused when set
  bool operator==(const host_config&) const = default;
};

/// What the resource checks need to know about this host (dockerd's sysinfo).
struct host_limits {
  int ncpu = 1;              ///< online CPUs usable by the daemon (the NanoCpus range)
  std::string cpus = "0";    ///< cpuset.cpus available, e.g. "0-1"
  std::string mems = "0";    ///< cpuset.mems available
  bool cpu_realtime = false; ///< the cpu cgroup has cpu.rt_period_us
  /// Capabilities the daemon can grant (its effective set); empty = every known capability.
  std::vector<std::string> capabilities;

  /// This host's limits, probed once (sched_getaffinity, the cpuset cgroup, /sys).
  [[nodiscard]] static const host_limits& current();
};

/// Parses `Config` (the create body's top level). Errors are errc::invalid_argument with
/// dockerd's wording.
[[nodiscard]] caf::expected<container_config> parse_container_config(const nlohmann::json& body);

/// Parses and validates `HostConfig` of the create body `body` (may be null/absent: all
/// defaults). Validation covers what dockerd refuses at create time: negative or too-small memory
/// ("Minimum memory limit allowed is 6MB"), swap below memory, unknown restart policy, a retry
/// count without on-failure, unknown capabilities ("invalid CapAdd: unknown capability:
/// \"CAP_FOO\""), conflicting NanoCpus and CpuQuota/Period, invalid cpuset syntax, ulimits soft >
/// hard, bad port bindings, bad tmpfs/mount specs, bad security options, etc. The checks against
/// the host (CPU count, cpusets) use `limits`.
[[nodiscard]] caf::expected<host_config>
parse_host_config(const nlohmann::json& body, const host_limits& limits = host_limits::current());

/// Reads a HostConfig object as Berth stored it (the output of `to_json`) without the create-time
/// checks, so a record written earlier stays readable after the host or the rules changed.
[[nodiscard]] caf::expected<host_config> read_stored_host_config(const nlohmann::json& host_config);

/// The create-time checks of `parse_host_config` on an already parsed configuration (also used by
/// POST /containers/{id}/update). `config` is the container's `Config` (for the network-mode
/// conflicts).
[[nodiscard]] caf::error validate_host_config(const host_config& host,
                                              const container_config& config,
                                              const host_limits& limits);

/// dockerd's check that every `--mount type=bind` source exists on this host (unless
/// BindOptions.CreateMountpoint): "invalid mount config for type \"bind\": bind source path does
/// not exist: /x". Separate from the parser because it reads the filesystem.
[[nodiscard]] caf::error validate_bind_sources(const host_config& host);

/// Parses one HostConfig.Binds entry ("/host:/ctr:ro", "vol:/ctr", "/ctr") like dockerd: type
/// "bind" for an absolute source, "volume" otherwise (anonymous when there is no source).
[[nodiscard]] caf::expected<mount_config> parse_bind(const std::string& spec);

/// Fills what the client left unset from the image's config (its "config" object) like dockerd's
/// create: User, ExposedPorts, Env (by key), Labels, Cmd/Entrypoint (an Entrypoint from the
/// request drops the image's Cmd; [""] resets the Entrypoint), Healthcheck fields, WorkingDir,
/// Volumes, StopSignal.
void merge_image_config(container_config& config, const nlohmann::json& image_config);

/// Renders `Config` as inspect shows it (every field, Docker's names and null/empty forms).
[[nodiscard]] nlohmann::json to_json(const container_config& config);

/// Renders `HostConfig` as inspect shows it.
[[nodiscard]] nlohmann::json to_json(const host_config& host);

/// Docker's default capability set ("CAP_CHOWN", ...).
[[nodiscard]] const std::vector<std::string>& default_capabilities();

/// Every capability the kernel knows by name, in kernel order (index = capability number):
/// "CAP_CHOWN" ... "CAP_CHECKPOINT_RESTORE".
[[nodiscard]] const std::vector<std::string>& all_capabilities();

/// Normalizes "net_admin" / "NET_ADMIN" / "CAP_NET_ADMIN" → "CAP_NET_ADMIN"; "ALL" stays "ALL".
/// Fails for unknown names with dockerd's message ("unknown capability: \"CAP_FOO\"").
[[nodiscard]] caf::expected<std::string> normalize_capability(std::string_view name);

/// The capabilities this daemon can grant: the known ones in its own effective set (what dockerd
/// gives privileged containers), probed once.
[[nodiscard]] const std::vector<std::string>& available_capabilities();

/// The container's capability set: all `available` ones when privileged, else the defaults with
/// CapDrop removed and CapAdd added ("ALL" in CapAdd: every available one but CapDrop; "ALL" in
/// CapDrop: only CapAdd), like dockerd's TweakCapabilities.
[[nodiscard]] caf::expected<std::vector<std::string>>
container_capabilities(const host_config& host,
                       const std::vector<std::string>& available = available_capabilities());

} // namespace berth::runtime
