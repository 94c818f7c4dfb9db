// The blocking steps of a container's life, run on the blocking pool by its actor: preparing and
// creating it under a shim (root filesystem, generated files, network namespace, OCI spec),
// cleaning up after it exited, and removing its files. Each takes a copy of what it needs.
#pragma once

#include <string>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "actors/container_record.hpp"
#include "actors/daemon_context.hpp"
#include "runtime/shim_client.hpp"

namespace berth::actors {

/// Makes the container's read-write layer directories (at create).
[[nodiscard]] caf::error create_container_layer(const container_paths& paths);

/// Mounts the root filesystem, writes /etc files and config.json, creates the network namespace
/// and launches the shim, which creates (not starts) the container. Undoes what it did on error.
[[nodiscard]] caf::expected<runtime::shim_started> prepare_and_create(const container_record& rec,
                                                                      const container_paths& paths,
                                                                      const daemon_context& ctx);

/// Releases what a stopped container held: root filesystem mount, network namespace, shim state.
[[nodiscard]] caf::error cleanup_after_exit(const container_paths& paths);

/// Removes everything of a container: the cleanup above plus its layer and its directory.
[[nodiscard]] caf::error remove_container_data(const container_paths& paths);

/// The runtime's --root for a runtime name.
[[nodiscard]] std::string runtime_root(const daemon_context& ctx, const std::string& runtime);

} // namespace berth::actors
