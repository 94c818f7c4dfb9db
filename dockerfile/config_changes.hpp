// Applying instructions to an image config's "config" object as dockerd's dispatchers do: the
// metadata-only steps of a build (CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD,
// SHELL, STOPSIGNAL, USER, VOLUME, WORKDIR) and `--change` for docker import and docker commit.
#pragma once

#include <string>
#include <vector>

#include <caf/error.hpp>
#include <nlohmann/json.hpp>

#include "dockerfile/instructions.hpp"

namespace berth::dockerfile {

/// Applies each change in order to `container_config` (the image config's "config" object), as
/// dockerd's BuildFromConfig: parsed as Dockerfile lines, substituted with the config's Env,
/// applied. Unknown or disallowed instructions fail with dockerd's "X is not a valid change
/// command"; CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME
/// and WORKDIR are allowed.
[[nodiscard]] caf::error apply_changes(nlohmann::json& container_config,
                                       const std::vector<std::string>& changes);

/// Applies one already-substituted metadata instruction to `container_config` (dockerd's
/// dispatchers): ENV replaces or appends "KEY=VALUE"; LABEL sets Labels; CMD/ENTRYPOINT store the
/// command (the shell form with the config's Shell, default /bin/sh -c), and ENTRYPOINT resets Cmd
/// unless a CMD with arguments came earlier in the same build (`cmd_set`, false at each stage's
/// start); HEALTHCHECK replaces Healthcheck; EXPOSE adds ExposedPorts ("invalid containerPort: x");
/// VOLUME adds Volumes; USER, SHELL set theirs; WORKDIR joins a relative path to the current one;
/// ONBUILD appends the trigger; STOPSIGNAL checks the signal ("Invalid signal: x"). Any other
/// instruction is refused: RUN, COPY, ADD, ARG and MAINTAINER are the builder's.
[[nodiscard]] caf::error apply_instruction(nlohmann::json& container_config, const instruction& ins,
                                           bool& cmd_set);

/// The strings of the array `key` of a config object (Shell, Cmd, OnBuild, a Healthcheck's
/// Test...): other values skipped, empty when there is no such array.
[[nodiscard]] std::vector<std::string> config_strings(const nlohmann::json& config,
                                                      const char* key);

/// The "KEY=VALUE" strings of a config's Env (empty when there is none).
[[nodiscard]] std::vector<std::string> config_env(const nlohmann::json& container_config);

} // namespace berth::dockerfile
