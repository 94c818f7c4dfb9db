// Mounting and unmounting overlayfs root filesystems.
#include "storage/overlay_mount.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/sys.hpp"

namespace berth::storage {

namespace {

// The new mount API: each lower layer is one fsconfig call, so there is no page-size limit on
// the option string.
caf::error mount_with_fsconfig(const std::vector<std::string>& lowers, const std::string& upper,
                               const std::string& work, const std::string& target,
                               bool& unsupported) {
  unsupported = false;
  unique_fd fs{::fsopen("overlay", FSOPEN_CLOEXEC)};
  if (!fs) {
    unsupported = errno == ENOSYS || errno == ENODEV;
    return sys::error_from_errno("fsopen", "overlay", errno);
  }
  for (const auto& lower : lowers) {
    if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, "lowerdir+", lower.c_str(), 0) != 0) {
      unsupported = errno == EINVAL;
      return sys::error_from_errno("fsconfig lowerdir+", lower, errno);
    }
  }
  if (!upper.empty()) {
    if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, "upperdir", upper.c_str(), 0) != 0)
      return sys::error_from_errno("fsconfig upperdir", upper, errno);
    if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, "workdir", work.c_str(), 0) != 0)
      return sys::error_from_errno("fsconfig workdir", work, errno);
  }
  if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
    return sys::error_from_errno("fsconfig create", target, errno);
  unique_fd mnt{::fsmount(fs.get(), FSMOUNT_CLOEXEC, upper.empty() ? MOUNT_ATTR_RDONLY : 0)};
  if (!mnt) return sys::error_from_errno("fsmount", target, errno);
  if (::move_mount(mnt.get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
    return sys::error_from_errno("move_mount", target, errno);
  return {};
}

caf::error mount_with_options(const std::vector<std::string>& lowers, const std::string& upper,
                              const std::string& work, const std::string& target) {
  std::string options = "lowerdir=";
  for (size_t i = 0; i < lowers.size(); ++i)
    options += (i ? ":" : "") + lowers[i];
  if (!upper.empty()) options += ",upperdir=" + upper + ",workdir=" + work;
  if (options.size() >= static_cast<size_t>(::getpagesize()))
    return make_error(errc::not_implemented,
                      "too many layers for this kernel's overlay mount options (" +
                          std::to_string(lowers.size()) + ")");
  unsigned long flags = upper.empty() ? MS_RDONLY : 0;
  if (::mount("overlay", target.c_str(), "overlay", flags, options.c_str()) != 0)
    return sys::error_from_errno("mount overlay", target, errno);
  return {};
}

} // namespace

caf::error mount_overlay(const std::vector<std::string>& lowers, const std::string& upper,
                         const std::string& work, const std::string& target) {
  if (lowers.empty())
    return make_error(errc::invalid_argument, "overlay mount needs at least one lower layer");
  // overlayfs needs two lowers when there is no upper; a single read-only layer is a bind mount.
  if (upper.empty() && lowers.size() == 1) {
    if (::mount(lowers[0].c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0)
      return sys::error_from_errno("mount bind", target, errno);
    if (::mount(nullptr, target.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0)
      return sys::error_from_errno("remount read-only", target, errno);
    return {};
  }
  bool unsupported = false;
  auto err = mount_with_fsconfig(lowers, upper, work, target, unsupported);
  if (!err || !unsupported) return err;
  return mount_with_options(lowers, upper, work, target);
}

caf::error unmount(const std::string& target) {
  if (::umount2(target.c_str(), UMOUNT_NOFOLLOW) == 0 || errno == EINVAL || errno == ENOENT)
    return {};
  if (errno == EBUSY && ::umount2(target.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0) return {};
  return sys::error_from_errno("umount", target, errno);
}

bool is_mount_point(const std::string& path) {
  struct statx stx {};
  if (::statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) != 0)
    return false;
  return (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
         (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

} // namespace berth::storage
