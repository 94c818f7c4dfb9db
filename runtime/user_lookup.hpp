// Resolving Config.User ("1000", "1000:1000", "user", "user:group", with GroupAdd) against the
// image's /etc/passwd and /etc/group, read inside the container root without following symlinks
// out of it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace berth::runtime {

struct resolved_user {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids; ///< supplementary groups of the user + GroupAdd
  std::string home = "/";                ///< from passwd, for HOME
};

/// Resolves `user` (empty = root) in the root filesystem at `rootfs`. Numeric IDs need no passwd
/// entry; names that are not found fail like dockerd: "unable to find user x: no matching entries
/// in passwd file".
[[nodiscard]] caf::expected<resolved_user> resolve_user(const std::string& rootfs,
                                                        const std::string& user,
                                                        const std::vector<std::string>& group_add);

} // namespace berth::runtime
