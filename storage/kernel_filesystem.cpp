// Kernel filesystems by their superblock magic.
#include "storage/kernel_filesystem.hpp"

#include <algorithm>
#include <array>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

namespace berth::storage {

namespace {

// <linux/magic.h> has no names for these.
constexpr unsigned long mqueue_magic = 0x19800202;
constexpr unsigned long configfs_magic = 0x62656570;
constexpr unsigned long fusectl_magic = 0x65735543;

constexpr std::array<unsigned long, 17> kernel_magics{
    PROC_SUPER_MAGIC, SYSFS_MAGIC,    CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC, DEVPTS_SUPER_MAGIC,
    mqueue_magic,     DEBUGFS_MAGIC,  TRACEFS_MAGIC,      SECURITYFS_MAGIC,    BPF_FS_MAGIC,
    PSTOREFS_MAGIC,   EFIVARFS_MAGIC, configfs_magic,     SELINUX_MAGIC,       BINFMTFS_MAGIC,
    fusectl_magic,    NSFS_MAGIC,
};

} // namespace

bool on_kernel_filesystem(int fd) {
  struct statfs fs {};
  if (::fstatfs(fd, &fs) != 0) return false;
  auto magic = static_cast<unsigned long>(fs.f_type);
  return std::find(kernel_magics.begin(), kernel_magics.end(), magic) != kernel_magics.end();
}

bool is_mount_root(int fd) {
  struct statx stx {};
  if (::statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) != 0)
    return false;
  return (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
         (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

} // namespace berth::storage
