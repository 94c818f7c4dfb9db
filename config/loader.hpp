// Builds the daemon's configuration from defaults, daemon.json and flags, as dockerd does:
// unknown keys and keys given both as a flag and in the file are refused, naming the key.
#pragma once

#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include "config/command_line.hpp"
#include "config/daemon_config.hpp"

namespace berth::config {

/// A configuration together with the effective values that produced it.
struct loaded_config {
  daemon_config config;
  nlohmann::json effective = nlohmann::json::object(); ///< key → value, flags over file
};

/// What a SIGHUP reload did.
struct reload_outcome {
  loaded_config next;               ///< the configuration now in force
  std::vector<std::string> applied; ///< reloadable keys whose value changed
  std::vector<std::string> ignored; ///< changed keys that need a restart
};

/// Reads daemon.json (missing is fine unless --config-file named it) and applies the flags.
[[nodiscard]] caf::expected<loaded_config> load_config(const command_line& cl);

/// Re-reads daemon.json and applies the reloadable keys that changed on top of `current`.
[[nodiscard]] caf::expected<reload_outcome> reload_config(const loaded_config& current,
                                                          const command_line& cl);

/// Checks settings that only make sense together (e.g. TCP hosts need TLS verification).
[[nodiscard]] caf::error validate_combination(const daemon_config& cfg);

} // namespace berth::config
