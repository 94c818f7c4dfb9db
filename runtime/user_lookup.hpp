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
  /// As dockerd sets them: the primary gid first, then the user's supplementary groups from
  /// /etc/group (only when the group was not given explicitly), then GroupAdd.
  std::vector<uint32_t> additional_gids;
  std::string home = "/"; ///< from passwd, for HOME
};

/// Resolves `user` (empty = root) in the root filesystem at `rootfs` with runc's rules (which
/// dockerd uses). Numeric IDs need no passwd entry; names that are not found fail like dockerd:
/// "unable to find user x: no matching entries in passwd file", "unable to find group x: no
/// matching entries in group file", and for GroupAdd "Unable to find group x: no matching entries
/// in group file". /etc/passwd and /etc/group are opened with openat2(RESOLVE_IN_ROOT), so
/// symlinks resolve inside `rootfs`; each is read up to 4 MiB and must be a regular file.
[[nodiscard]] caf::expected<resolved_user> resolve_user(const std::string& rootfs,
                                                        const std::string& user,
                                                        const std::vector<std::string>& group_add);

} // namespace berth::runtime
