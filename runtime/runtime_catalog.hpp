// The OCI runtimes the daemon can use: runc and crun found on PATH plus the `runtimes` of
// daemon.json, and which one is the default.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "config/daemon_config.hpp"

namespace berth::runtime {

struct runtime_catalog {
  std::map<std::string, config::runtime_entry> runtimes; ///< name → binary (+ args)
  std::string default_runtime;                           ///< a key of `runtimes`, or "" if none
};

/// Returns the absolute path of `name` looked up in $PATH (or `name` itself if absolute and
/// executable); nullopt when not found.
[[nodiscard]] std::optional<std::string> find_executable(const std::string& name);

/// Builds the catalog from the configuration and the binaries present. The default is the
/// configured one, else the first of crun/runc that `works` accepts (the host probe decides).
[[nodiscard]] runtime_catalog
make_runtime_catalog(const config::daemon_config& cfg,
                     const std::function<bool(const std::string& name)>& works);

} // namespace berth::runtime
