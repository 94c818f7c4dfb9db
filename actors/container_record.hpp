// A container as the daemon keeps it: Docker's configuration, the resolved image and command,
// where its files live, and its state (Docker's state machine). Persisted as JSON in the state
// store before the container actor replies to anything that changed it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include "actors/container_volumes.hpp"
#include "actors/network_endpoint.hpp"
#include "net/port_spec.hpp"
#include "runtime/container_config.hpp"
#include "runtime/health_state.hpp"

namespace berth::actors {

/// Docker's container states.
enum class container_status : uint8_t {
  created,
  running,
  paused,
  restarting,
  removing,
  exited,
  dead
};

[[nodiscard]] const char* to_string(container_status s);
[[nodiscard]] container_status parse_container_status(std::string_view s);

/// One network a container is configured for (NetworkSettings.Networks), and its endpoint there
/// while it is connected.
struct container_network {
  std::string name;                 ///< as the container names it ("bridge", "n1", "host", ...)
  std::vector<std::string> aliases; ///< --network-alias / --alias
  std::string ipv4;                 ///< --ip (IPAMConfig.IPv4Address)
  std::string mac;                  ///< --mac-address
  std::optional<endpoint_info> endpoint;
};

struct container_record {
  // Identity and configuration (fixed at create).
  std::string id;
  std::string name; ///< without the leading '/'
  int64_t created_nanos = 0;
  runtime::container_config config;
  runtime::host_config host;
  std::string image_id;                 ///< "sha256:..."
  uint64_t image_size = 0;              ///< the image's size at create (SizeRootFs)
  std::vector<std::string> image_chain; ///< the image's layer chain IDs, bottom first
  std::vector<std::string> lower_dirs;  ///< the image layers' short paths, top-most first
  nlohmann::json image_config;          ///< the image config's "config" object
  std::string path;                     ///< the command (Path in inspect)
  std::vector<std::string> args;        ///< its arguments (Args)
  std::string runtime;                  ///< OCI runtime name
  std::string hostname;
  std::vector<container_network> networks; ///< in connection order; the first gives the route
  std::vector<container_volume> volumes;   ///< named by the volumes manager at create

  // State.
  container_status status = container_status::created;
  int pid = 0;
  int exit_code = 0;
  bool oom_killed = false;
  std::string error;
  int64_t started_at = 0;  ///< unix ns, 0 = never
  int64_t finished_at = 0; ///< unix ns, 0 = never
  int restart_count = 0;
  bool manually_stopped = false; ///< stop/kill by the user: no restart (unless-stopped, always)
  bool has_been_started = false;
  int shim_pid = 0;
  std::vector<std::string> exec_ids;
  std::vector<net::published_port> ports; ///< host ports bound while running

  /// State.Health: set once the container ran with a healthcheck (kept across runs, as dockerd).
  std::optional<runtime::health_state> health;

  [[nodiscard]] bool running() const {
    return status == container_status::running || status == container_status::paused;
  }
};

[[nodiscard]] std::string to_state_json(const container_record& c);
[[nodiscard]] caf::expected<container_record> container_from_state_json(const std::string& text);

/// Where a container's files live.
struct container_paths {
  std::string dir;         ///< <data-root>/containers/<id>: generated /etc files, logs
  std::string log;         ///< <dir>/<id>-json.log
  std::string hostname;    ///< <dir>/hostname
  std::string hosts;       ///< <dir>/hosts
  std::string resolv_conf; ///< <dir>/resolv.conf
  std::string bundle;      ///< <exec-root>/containers/<id>: config.json
  std::string shim_state;  ///< <bundle>/shim (0700)
  std::string netns;       ///< <exec-root>/netns/<id>
  std::string layer_dir;   ///< <dir>/layer: diff, work, merged
  std::string rootfs;      ///< <layer_dir>/merged
  std::string volumes;     ///< <data-root>/volumes (where its volumes live)
};

[[nodiscard]] container_paths paths_of(const container_record& c, const std::string& data_root,
                                       const std::string& exec_root);

} // namespace berth::actors
