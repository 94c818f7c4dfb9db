// docker commit's image configuration, as dockerd's CreateImageFromContainer computes it from the
// container's Config, the request's Config and the `--change` instructions. Pure logic.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include "runtime/container_config.hpp"

namespace berth::actors {

/// The committed image's "config": the request's Config (or, without one, the container's) with
/// `changes` applied in order (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR;
/// dockerd's "X is not a valid change command" for others), then whatever is still unset filled
/// from the container's Config (dockerd's merge: User, ExposedPorts, Env by key, Labels,
/// Cmd/Entrypoint, Healthcheck, WorkingDir, Volumes, StopSignal). Errors are
/// errc::invalid_argument.
[[nodiscard]] caf::expected<nlohmann::json>
commit_image_config(const runtime::container_config& container,
                    const std::optional<runtime::container_config>& requested,
                    const std::vector<std::string>& changes);

/// The history entry's created_by for a commit: the container's Cmd joined with spaces (as dockerd
/// writes it: no quoting, the Entrypoint left out).
[[nodiscard]] std::string commit_created_by(const runtime::container_config& container);

} // namespace berth::actors
