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

/// Daemon-level defaults that apply to every container unless overridden.
struct spec_defaults {
  int64_t shm_size = 64 * 1024 * 1024;
  std::vector<ulimit_setting> ulimits; ///< default-ulimits
  bool no_new_privileges = false;
  std::string seccomp_profile; ///< "" builtin, "unconfined", or a path to a JSON profile
  std::string cgroup_parent = "/berth";
};

/// Everything needed to write one container's config.json.
struct spec_inputs {
  std::string container_id;
  container_config config;
  host_config host;
  nlohmann::json image_config;   ///< the image config's "config" object (may be empty)
  std::string rootfs;            ///< absolute path of the mounted root filesystem
  std::string hostname;          ///< Config.Hostname or the short ID
  resolved_user user;            ///< from user_lookup
  std::string hosts_path;        ///< files bind-mounted over /etc/hosts, /etc/hostname,
  std::string hostname_path;     ///< /etc/resolv.conf ("" = do not mount)
  std::string resolv_conf_path;
  network_namespace netns;
  std::string init_path;         ///< tini-static, used when HostConfig.Init is set
  bool cgroup_v2 = false;
  spec_defaults defaults;
};

/// The command the container runs: Entrypoint + Cmd with Docker's rules (an Entrypoint from the
/// create request drops the image's Cmd; empty overall → error "No command specified").
[[nodiscard]] caf::expected<std::vector<std::string>>
container_command(const container_config& config, const nlohmann::json& image_config);

/// The environment: image Env, then Config.Env overriding by key, PATH defaulted, HOSTNAME set,
/// TERM=xterm with a TTY.
[[nodiscard]] std::vector<std::string> container_env(const container_config& config,
                                                     const nlohmann::json& image_config,
                                                     const std::string& hostname);

/// The OCI spec (runtime-spec 1.0.2) as JSON.
[[nodiscard]] caf::expected<nlohmann::json> make_oci_spec(const spec_inputs& in);

} // namespace berth::runtime
