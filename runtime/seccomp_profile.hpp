// Docker's default seccomp policy, authored here as data: an allow-list of system calls with
// argument conditions where dockerd restricts them (clone namespace flags, personality, socket
// families...), and the capability-dependent extras (CAP_SYS_ADMIN, CAP_SYS_PTRACE, ...). Also
// the conversion of profiles in Docker's own format (--security-opt seccomp=..., the daemon's
// seccomp-profile) to the OCI object.
#pragma once

#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

namespace berth::runtime {

/// The OCI `linux.seccomp` object for a container with `capabilities` (normalized "CAP_X"):
/// default action SCMP_ACT_ERRNO (EPERM) for every system call not allowed.
[[nodiscard]] nlohmann::json default_seccomp_profile(const std::vector<std::string>& capabilities);

/// Converts a profile in Docker's format (`defaultAction`, `architectures` or `archMap`,
/// `syscalls` entries with `name`/`names`, `includes`/`excludes` on `caps`, `arches` and
/// `minKernel`) into the OCI object for this machine and `capabilities`, as dockerd does. A
/// profile with neither a default action nor system calls disables seccomp: the result is then
/// JSON null. Errors read "Decoding seccomp profile failed: ...".
[[nodiscard]] caf::expected<nlohmann::json>
seccomp_from_docker_profile(const nlohmann::json& profile,
                            const std::vector<std::string>& capabilities);

} // namespace berth::runtime
