// The pure parts of a classic build step (see build_job.hpp): the "#(nop)" commands dockerd
// records for steps without a container, the history's created_by, the containers RUN creates,
// and Docker's JSON message lines. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dockerfile/instructions.hpp"

namespace berth::actors {

/// The config's Shell, or /bin/sh -c.
[[nodiscard]] std::vector<std::string> shell_of(const nlohmann::json& config);

/// dockerd's commit message for a metadata step, computed with the config after the step:
/// "ENV A=b", "CMD [\"sh\"]", "EXPOSE 80/tcp", "VOLUME [/data]", "ARG a=1", "MAINTAINER x"...
/// (WORKDIR is handled by nop_config with a single argument).
[[nodiscard]] std::string commit_comment(const dockerfile::instruction& ins,
                                         const nlohmann::json& config);

/// The container config recorded for a step without a container: `config` with Cmd = shell +
/// {"#(nop) ", comment}, or shell + {"#(nop) " + comment} when `single_arg` (WORKDIR, COPY, ADD).
[[nodiscard]] nlohmann::json nop_config(const nlohmann::json& config, const std::string& comment,
                                        bool single_arg);

/// The history's created_by: the recorded Cmd joined by spaces.
[[nodiscard]] std::string created_by(const nlohmann::json& container_config);

/// Go's %q of a string slice (["a" "b"]).
[[nodiscard]] std::string go_quote_list(const std::vector<std::string>& items);

/// Docker's JSON message lines, each ending with "\n".
[[nodiscard]] std::string stream_line(const std::string& text);
[[nodiscard]] std::string aux_id_line(const std::string& image_id);
[[nodiscard]] std::string error_line(const std::string& message);

} // namespace berth::actors
