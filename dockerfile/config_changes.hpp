// Applying `--change` instructions (docker import, docker commit) to an image config's "config"
// object: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR.
#pragma once

#include <string>
#include <vector>

#include <caf/error.hpp>
#include <nlohmann/json.hpp>

namespace berth::dockerfile {

/// Applies each change in order to `container_config` (the image config's "config" object).
/// Unknown or disallowed instructions fail with dockerd's "X is not a valid change command". As in
/// a build, an ENTRYPOINT clears the Cmd unless a CMD came earlier in `changes`.
[[nodiscard]] caf::error apply_changes(nlohmann::json& container_config,
                                       const std::vector<std::string>& changes);

} // namespace berth::dockerfile
