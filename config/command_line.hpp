// berthd's command line: dockerd-style flags (pflag syntax) turned into daemon.json-shaped values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

namespace berth::config {

/// What the command line asked for.
struct command_line {
  nlohmann::json values = nlohmann::json::object(); ///< option values, keyed by daemon.json key
  std::optional<std::string> config_file;           ///< --config-file, when given
  bool help = false;                                ///< -h/--help
  bool version = false;                             ///< -v/--version
  bool validate = false;                            ///< --validate: check the config and exit
};

/// Parses `args` (without argv[0]). Errors use pflag's wording: "unknown flag: --foo".
[[nodiscard]] caf::expected<command_line> parse_command_line(const std::vector<std::string>& args);

/// The --help text.
[[nodiscard]] std::string usage_text();

} // namespace berth::config
