// dockerd's rules for mounts: `-v` specs, `--mount` validation, `--tmpfs` destinations and tmpfs
// option strings. Pure: nothing here looks at the filesystem.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "runtime/container_config.hpp"

namespace berth::runtime {

/// Checks one HostConfig.Mounts entry like dockerd's ValidateMountConfig, except for the bind
/// source's existence (see validate_bind_sources): "invalid mount config for type \"bind\":
/// invalid mount path: 'x' mount path must be absolute".
[[nodiscard]] caf::error validate_mount_config(const mount_config& m);

/// Checks a HostConfig.Tmpfs destination: absolute and not "/".
[[nodiscard]] caf::error validate_tmpfs_destination(const std::string& destination);

/// Whether `mode` is a valid -v mode list ("ro", "rw,z", "ro,rshared,nocopy"): at most one of
/// each kind (rw/ro, z/Z, propagation, nocopy, consistency).
[[nodiscard]] bool valid_bind_mode(std::string_view mode);

/// The propagation modes dockerd accepts ("private", "rprivate", "shared", "rshared", "slave",
/// "rslave").
[[nodiscard]] bool is_propagation_mode(std::string_view mode);

/// A tmpfs `--mount`'s TmpfsOptions and ReadOnly as the option string dockerd builds
/// ("ro,mode=1777,size=64m").
[[nodiscard]] caf::expected<std::string> tmpfs_option_string(const mount_config& m);

/// dockerd's MergeTmpfsOptions: duplicates removed with the later option winning (per flag, per
/// key=value key, one propagation mode); unknown options refused ("invalid tmpfs option
/// [\"foo\"]").
[[nodiscard]] caf::expected<std::vector<std::string>>
merge_tmpfs_options(const std::vector<std::string>& options);

/// The options of a tmpfs mount with `data` ("size=64m,exec", may be empty), after dockerd's
/// defaults "noexec", "nosuid", "nodev", "rprivate".
[[nodiscard]] caf::expected<std::vector<std::string>> tmpfs_mount_options(const std::string& data);

} // namespace berth::runtime
