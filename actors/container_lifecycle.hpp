// The blocking steps of a container's life, run on the blocking pool by its actor: preparing and
// creating it under a shim (root filesystem, generated files, network namespace, OCI spec),
// cleaning up after it exited, and removing its files. Each takes a copy of what it needs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "actors/container_record.hpp"
#include "actors/daemon_context.hpp"
#include "runtime/oci_spec.hpp"
#include "runtime/shim_client.hpp"

namespace berth::actors {

/// Makes the container's read-write layer directories (at create).
[[nodiscard]] caf::error create_container_layer(const container_paths& paths);

/// Where a container's network comes from.
enum class network_mode : uint8_t {
  own,       ///< its own pinned namespace (bridge networks, none)
  host,      ///< the host's namespace
  container, ///< another container's namespace ("container:<id>")
};

[[nodiscard]] network_mode network_mode_of(const container_record& rec);

/// The ID in "container:<id>" (normalized at create), or "".
[[nodiscard]] std::string network_container_of(const container_record& rec);

/// What a start prepared before the container is created: the network namespace to run in, what
/// the generated /etc files say, and the volumes to bind.
struct start_plan {
  network_mode mode = network_mode::own;
  std::string netns_path;               ///< own: this container's pin; container: the other's
  container_paths files_from;           ///< container mode: the other container's /etc files
  std::string hostname;                 ///< container mode: the other container's hostname
  std::string address;                  ///< the container's address for /etc/hosts ("" = none)
  std::string gateway;                  ///< for "host-gateway" in --add-host
  std::vector<std::string> nameservers; ///< {"127.0.0.11"} with the embedded DNS, else none
  std::vector<runtime::volume_mount> volumes; ///< volumes (mounted) and inherited binds
};

/// First step of a start: mounts the root filesystem and, for its own network, creates and pins
/// the network namespace (so endpoints can be moved into it before the container exists).
[[nodiscard]] caf::error prepare_sandbox(const container_record& rec, const container_paths& paths,
                                         const daemon_context& ctx);

/// Last step of a start: writes /etc files and config.json and launches the shim, which creates
/// (not starts) the container. The caller undoes the sandbox on error (cleanup_after_exit).
[[nodiscard]] caf::expected<runtime::shim_started> create_under_shim(const container_record& rec,
                                                                     const container_paths& paths,
                                                                     const daemon_context& ctx,
                                                                     const start_plan& plan);

/// Releases what a stopped container held: root filesystem mount, network namespace, shim state.
[[nodiscard]] caf::error cleanup_after_exit(const container_paths& paths);

/// Removes everything of a container: the cleanup above plus its layer and its directory.
[[nodiscard]] caf::error remove_container_data(const container_paths& paths);

/// The runtime's --root for a runtime name.
[[nodiscard]] std::string runtime_root(const daemon_context& ctx, const std::string& runtime);

} // namespace berth::actors
