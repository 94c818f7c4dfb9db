// A container's root directory for docker cp: the running container's own, or a private mount of
// a stopped one's layers and volumes.
#include "storage/container_root.hpp"

#include <cerrno>
#include <exception>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <thread>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "storage/container_path.hpp"
#include "storage/layer_path.hpp"
#include "storage/layer_writer.hpp"
#include "storage/overlay_mount.hpp"

namespace berth::storage {

namespace {

/// Creates a bind's missing destination below the root: parents and a directory, or an empty
/// file for a file source (root-owned, 0755, as dockerd creates mount points).
caf::error create_destination(int root_fd, const std::string& name, bool directory) {
  unique_fd root{::fcntl(root_fd, F_DUPFD_CLOEXEC, 0)};
  if (!root) return sys::error_from_errno("dup", "/", errno);
  auto writer = layer_writer::open_at(std::move(root), writer_scope{.cross_mounts = true});
  if (!writer) return writer.error();
  entry_meta meta;
  meta.mode = 0755;
  if (directory) return writer->add_directory(name, meta);
  auto file = writer->create_file(name);
  if (!file) return file.error();
  return writer->finish_file(file->get(), name, meta);
}

/// Binds `bind.source` at its destination, resolved inside the root. The mount goes through
/// descriptors (open_tree, move_mount onto the opened destination), so nothing between the
/// lookup and the mount can redirect it.
caf::error bind_into(int root_fd, const view_bind& bind) {
  auto name = clean_entry_name(bind.destination);
  if (!name) return name.error();
  if (name->empty()) return make_error(errc::invalid_argument, "cannot mount over the root");
  struct stat source {};
  if (::stat(bind.source.c_str(), &source) != 0)
    return sys::error_from_errno("stat", bind.source, errno);
  auto target = sys::openat2(root_fd, *name, O_PATH, container_resolve);
  if (!target && error_kind(target.error()) == errc::not_found) {
    if (auto err = create_destination(root_fd, *name, S_ISDIR(source.st_mode))) return err;
    target = sys::openat2(root_fd, *name, O_PATH, container_resolve);
  }
  if (!target) return target.error();
  unique_fd tree{::open_tree(AT_FDCWD, bind.source.c_str(),
                             OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)};
  if (!tree) return sys::error_from_errno("open_tree", bind.source, errno);
  if (bind.read_only) {
    struct mount_attr attr {};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (::mount_setattr(tree.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0)
      return sys::error_from_errno("mount_setattr", bind.source, errno);
  }
  if (::move_mount(tree.get(), "", target->get(), "",
                   MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    return sys::error_from_errno("move_mount", bind.destination, errno);
  return {};
}

/// The body of the private thread: namespace, mounts, `fn`, unmount.
caf::error run_in_private_namespace(const stopped_view& view,
                                    const std::function<caf::error(int)>& fn) {
  // This thread's own mount namespace (and fs context: unshare implies CLONE_FS), a slave of the
  // daemon's: the daemon's unmounts still reach it, its mounts never reach the daemon.
  if (::unshare(CLONE_NEWNS) != 0)
    return sys::error_from_errno("unshare", "mount namespace", errno);
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0)
    return sys::error_from_errno("mount --make-rslave", "/", errno);
  if (auto err = mount_overlay(view.lowers, view.upper, view.work, view.mountpoint)) return err;
  caf::error result;
  {
    auto root = sys::open(view.mountpoint, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (!root) {
      result = root.error();
    } else {
      for (const auto& bind : view.binds)
        if ((result = bind_into(root->get(), bind))) break;
      if (!result) result = fn(root->get());
    }
  }
  // Every descriptor below the mount is closed: the detach ends the overlay at once (its upper
  // directory is free for the container's next start).
  if (::umount2(view.mountpoint.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && !result)
    result = sys::error_from_errno("umount", view.mountpoint, errno);
  return result;
}

} // namespace

caf::expected<unique_fd> open_running_root(int pid, const std::string& rootfs) {
  auto not_running = [&] {
    return make_error(errc::conflict,
                      "the container's process " + std::to_string(pid) + " is gone");
  };
  if (pid <= 0) return not_running();
  auto root = sys::open("/proc/" + std::to_string(pid) + "/root", O_RDONLY | O_DIRECTORY);
  if (!root) return error_kind(root.error()) == errc::not_found ? not_running() : root.error();
  struct stat seen {};
  struct stat expected {};
  if (::fstat(root->get(), &seen) != 0) return sys::error_from_errno("stat", "/", errno);
  if (::stat(rootfs.c_str(), &expected) != 0) return sys::error_from_errno("stat", rootfs, errno);
  if (seen.st_dev != expected.st_dev || seen.st_ino != expected.st_ino) return not_running();
  return root;
}

caf::error with_stopped_view(const stopped_view& view,
                             const std::function<caf::error(int root_fd)>& fn) {
  caf::error result;
  std::thread worker{[&] {
    try {
      result = run_in_private_namespace(view, fn);
    } catch (const std::exception& e) {
      result = make_error(errc::internal, e.what()); // the namespace ends with the thread anyway
    }
  }};
  worker.join();
  return result;
}

} // namespace berth::storage
