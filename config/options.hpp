// The table of daemon options: each daemon.json key with its command-line flag, kind and validator.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <nlohmann/json_fwd.hpp>

#include "config/daemon_config.hpp"

namespace berth::config {

/// How an option's value is written on the command line and in daemon.json.
enum class value_kind {
  boolean,       ///< `--flag`, `--flag=false`; JSON true/false
  string,        ///< `--flag v`; JSON string
  integer,       ///< `--flag 3`; JSON number
  string_list,   ///< repeatable `--flag v`; JSON array of strings
  string_map,    ///< repeatable `--flag k=v`; JSON object of strings
  runtimes,      ///< repeatable `--add-runtime name=path`; JSON object name → {path, runtimeArgs}
  address_pools, ///< repeatable `--default-address-pool base=CIDR,size=N`; JSON array of objects
  ulimits, ///< repeatable `--default-ulimit name=soft[:hard]`; JSON object name → {Name,Soft,Hard}
  bool_map, ///< JSON object of booleans (file only)
};

/// One configurable setting.
struct option_spec {
  std::string_view key;  ///< daemon.json key, e.g. "data-root"
  std::string_view flag; ///< long flag without dashes ("" = file only)
  char short_flag = 0;   ///< e.g. 'H' for -H
  value_kind kind = value_kind::string;
  bool reloadable = false; ///< applied on SIGHUP
  std::string_view help;
  /// Validates the JSON value and stores it in the config; errors name the problem, not the key.
  std::function<caf::error(const nlohmann::json&, daemon_config&)> apply;
  /// The daemon.json object the key sits in ("proxies" for "http-proxy"); "" for top level.
  /// On the command line, and for conflicts between flags and the file, nested keys are flat,
  /// as dockerd flattens them.
  std::string_view section = {};
};

/// True when `key` is a daemon.json object whose members are options (e.g. "proxies").
[[nodiscard]] bool is_option_section(std::string_view key);

/// All options berthd understands.
[[nodiscard]] const std::vector<option_spec>& option_table();

/// Finds the option for a daemon.json key.
[[nodiscard]] const option_spec* find_option_by_key(std::string_view key);

/// Finds the option for a long flag name (without dashes).
[[nodiscard]] const option_spec* find_option_by_flag(std::string_view flag);

/// Finds the option for a short flag letter.
[[nodiscard]] const option_spec* find_option_by_short(char letter);

} // namespace berth::config
