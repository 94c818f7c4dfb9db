// Runtime commands on a live container that do not go through its shim: pause, resume and
// resource updates (`<runtime> --root <root> pause|resume|update <id>`). Blocking: run on the
// blocking pool. Thread-safe (no shared state).
#pragma once

#include <string>
#include <vector>

#include <caf/error.hpp>
#include <nlohmann/json.hpp>

#include "actors/container_record.hpp"
#include "actors/daemon_context.hpp"

namespace berth::actors {

/// The command line `<runtime> [runtimeArgs] --root <root> <verb...> <id>` for `rec`'s runtime,
/// or empty when the runtime is unknown.
[[nodiscard]] std::vector<std::string> runtime_command_line(const daemon_context& ctx,
                                                            const container_record& rec,
                                                            const std::vector<std::string>& verb);

/// Runs a command line made above; a failure carries the runtime's own message.
[[nodiscard]] caf::error run_runtime_command(const std::vector<std::string>& argv);

/// `<runtime> update --resources <file> <id>` with `resources` (OCI LinuxResources) written to
/// `<bundle>/update.json` first (crun takes a file, not stdin).
[[nodiscard]] caf::error update_runtime_resources(const daemon_context& ctx,
                                                  const container_record& rec,
                                                  const container_paths& paths,
                                                  const nlohmann::json& resources);

} // namespace berth::actors
