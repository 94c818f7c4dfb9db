// Generation of the OCI runtime spec (config.json) for a container: the image config, Docker's
// Config and HostConfig and the daemon's defaults become process, mounts, namespaces, cgroup
// resources, capabilities, seccomp, masked and read-only paths, exactly as dockerd would set them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include "runtime/container_config.hpp"
#include "runtime/user_lookup.hpp"

namespace berth::runtime {

/// Where the container's network namespace comes from.
struct network_namespace {
  enum class kind : uint8_t { path, host } what = kind::path;
  std::string path; ///< a pinned netns (kind::path)
};

/// A volume mount resolved by the volume manager (HostConfig.Binds and Mounts entries of type
/// "volume", and Config.Volumes): make_oci_spec does not resolve volume names itself.
struct volume_mount {
  std::string source;      ///< the volume's directory on the host
  std::string destination; ///< absolute path in the container
  bool read_only = false;
};

/// Daemon-level defaults that apply to every container unless overridden.
struct spec_defaults {
  int64_t shm_size = 64 * 1024 * 1024;
  std::vector<ulimit_setting> ulimits; ///< default-ulimits
  bool no_new_privileges = false;
  std::string seccomp_profile; ///< "" builtin, "unconfined", or a path to a JSON profile
  std::string cgroup_parent = "/berth";
  bool init = false; ///< daemon "init": run an init when HostConfig.Init is null
  /// RLIMIT_NOFILE (soft and hard) of containers that set none: Docker 25+ containers get
  /// 1048576 from containerd; see default_nofile_limit().
  uint64_t nofile = 1048576;
  /// The runtime supports "rro" (recursively read-only bind mounts, runc >= 1.1 on Linux >=
  /// 5.12): read-only binds use it like Docker 25+, else plain "ro".
  bool recursive_readonly = true;
};

/// Docker's 1048576 open files, capped at this process's hard limit when it cannot raise limits
/// (no CAP_SYS_RESOURCE) and at fs.nr_open: a limit above those makes the runtime fail.
[[nodiscard]] uint64_t default_nofile_limit();

/// Everything needed to write one container's config.json.
struct spec_inputs {
  std::string container_id;
  container_config config; ///< as the client sent it, or merged with the image's config
  host_config host;
  nlohmann::json image_config; ///< the image config's "config" object (may be empty)
  /// The command (Path + Args) computed at create time; empty = container_command(config,
  /// image_config). Needed when `config` is the merged one and the client reset the entrypoint.
  std::vector<std::string> args;
  std::string rootfs;        ///< absolute path of the mounted root filesystem
  std::string hostname;      ///< Config.Hostname, the short ID, or the host's name (host network)
  resolved_user user;        ///< from user_lookup
  std::string hosts_path;    ///< files bind-mounted over /etc/hosts, /etc/hostname,
  std::string hostname_path; ///< /etc/resolv.conf ("" = do not mount)
  std::string resolv_conf_path;
  network_namespace netns;
  std::string pid_namespace_path; ///< /proc/<pid>/ns/pid of the container named by PidMode
  std::string ipc_namespace_path; ///< /proc/<pid>/ns/ipc of the container named by IpcMode
  std::vector<volume_mount> volumes;
  std::string init_path; ///< tini-static, used when HostConfig.Init (or the daemon's init) is set
  bool cgroup_v2 = false;
  bool swap_accounting = true; ///< memory.memsw exists: MemorySwap 0 means twice Memory
  spec_defaults defaults;
};

/// The command the container runs: Entrypoint + Cmd with Docker's rules (an Entrypoint from the
/// create request drops the image's Cmd, an Entrypoint of [""] resets it; empty overall → error
/// "no command specified", dockerd 28's wording).
[[nodiscard]] caf::expected<std::vector<std::string>>
container_command(const container_config& config, const nlohmann::json& image_config);

/// The environment as dockerd builds it: PATH (Docker's default unless the image or Config sets
/// it), HOSTNAME, TERM=xterm with a TTY, then Config.Env and the image's Env (Config.Env wins by
/// key; "KEY" without "=" removes KEY).
[[nodiscard]] std::vector<std::string> container_env(const container_config& config,
                                                     const nlohmann::json& image_config,
                                                     const std::string& hostname);

/// The OCI spec (runtime-spec 1.0.2) as JSON. Reads the host only for a seccomp profile given as
/// a path, the host's devices (privileged, --device, blkio device limits) and the default masked
/// paths.
[[nodiscard]] caf::expected<nlohmann::json> make_oci_spec(const spec_inputs& in);

/// linux.cgroupsPath of a container: HostConfig.CgroupParent, else `default_parent` (the
/// daemon's cgroup-parent, "/berth" by default), then the container's ID.
[[nodiscard]] std::string container_cgroups_path(const host_config& h,
                                                 const std::string& default_parent,
                                                 const std::string& container_id);

/// Docker's default masked paths (/proc/kcore, /sys/firmware, ... and the CPUs' thermal_throttle
/// directories that exist on this host), which create stores in HostConfig.MaskedPaths.
[[nodiscard]] const std::vector<std::string>& default_masked_paths();

/// Docker's default read-only paths (/proc/bus, /proc/fs, /proc/irq, /proc/sys,
/// /proc/sysrq-trigger).
[[nodiscard]] const std::vector<std::string>& default_readonly_paths();

} // namespace berth::runtime
