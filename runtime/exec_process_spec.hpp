// The OCI process of a docker exec (runc exec --process): the container's own process from its
// config.json (capabilities, rlimits, AppArmor, no-new-privileges, user, environment) with the
// exec's command, environment, user, working directory and terminal over it, as dockerd does.
// Pure: no I/O.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include "runtime/user_lookup.hpp"

namespace berth::runtime {

struct exec_process_inputs {
  std::vector<std::string> args;     ///< the exec's Cmd (must not be empty)
  std::vector<std::string> env;      ///< the exec's Env ("K=V" replaces or adds, "K" removes)
  std::string working_dir;           ///< "" = the container's
  std::optional<resolved_user> user; ///< set when the exec names a user
  bool privileged = false;           ///< every capability in `all_caps`
  std::vector<std::string> all_caps; ///< what a privileged exec gets
  bool tty = false;
  int rows = 0; ///< initial terminal size (0 = the runtime's default)
  int cols = 0;
};

/// Merges an environment like dockerd's ReplaceOrAppendEnv.
[[nodiscard]] std::vector<std::string> merge_env(std::vector<std::string> base,
                                                 const std::vector<std::string>& overrides);

/// The process JSON for `runc exec --process`, from the "process" object of the container's
/// config.json; fails when that is not an object or the command is empty.
[[nodiscard]] caf::expected<nlohmann::json>
make_exec_process(const nlohmann::json& container_process, const exec_process_inputs& in);

} // namespace berth::runtime
