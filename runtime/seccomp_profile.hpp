// Docker's default seccomp policy, authored here as data: an allow-list of system calls with
// argument conditions where dockerd restricts them (clone namespace flags, personality, socket
// families...), and the capability-dependent extras (CAP_SYS_ADMIN, CAP_SYS_PTRACE, ...).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace berth::runtime {

/// The OCI `linux.seccomp` object for a container with `capabilities` (normalized "CAP_X").
[[nodiscard]] nlohmann::json default_seccomp_profile(const std::vector<std::string>& capabilities);

} // namespace berth::runtime
