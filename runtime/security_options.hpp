// HostConfig.SecurityOpt (--security-opt) as dockerd reads it: no-new-privileges, seccomp,
// apparmor, label and writable-cgroups.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace berth::runtime {

struct security_options {
  std::optional<bool> no_new_privileges; ///< nullopt = the daemon's default
  std::optional<bool> writable_cgroups;  ///< nullopt = writable only when privileged
  std::string seccomp;  ///< "" = daemon default; "unconfined", "builtin", JSON text or a path
  std::string apparmor; ///< accepted; this daemon loads no AppArmor profiles
  std::vector<std::string> labels; ///< SELinux label options (accepted, not applied)
};

/// Parses the SecurityOpt list; anything dockerd refuses fails with its message
/// ("invalid --security-opt 2: \"foo=bar\"").
[[nodiscard]] caf::expected<security_options>
parse_security_options(const std::vector<std::string>& options);

} // namespace berth::runtime
