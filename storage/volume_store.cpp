// Volume directories and mounts.
#include "storage/volume_store.hpp"

#include <cerrno>
#include <sys/mount.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "storage/layer_store.hpp"
#include "storage/overlay_mount.hpp"

namespace berth::storage {

volume_paths paths_of_volume(const std::string& volumes_root, const std::string& name) {
  volume_paths p;
  p.dir = volumes_root + "/" + name;
  p.data = p.dir + "/_data";
  return p;
}

caf::error create_volume_directory(const volume_paths& paths) {
  if (auto err = sys::make_dirs(paths.dir, 0701)) return err;
  return sys::make_dirs(paths.data, 0755);
}

caf::error remove_volume_directory(const volume_paths& paths) {
  if (auto err = unmount_local_volume(paths)) return err;
  return sys::remove_all(paths.dir);
}

caf::error mount_local_volume(const local_mount& m, const volume_paths& paths) {
  if (is_mount_point(paths.data)) return {};
  if (auto err = sys::make_dirs(paths.data, 0755)) return err;
  auto type = m.type == "none" ? std::string{} : m.type;
  if (::mount(m.device.c_str(), paths.data.c_str(), type.empty() ? nullptr : type.c_str(), m.flags,
              m.data.empty() ? nullptr : m.data.c_str()) != 0)
    return make_error(errc::system, "error while mounting volume '" + paths.data +
                                        "': failed to mount local volume: mount " + m.device + ":" +
                                        paths.data + ", data: " + m.data + ": " +
                                        std::strerror(errno));
  return {};
}

caf::error unmount_local_volume(const volume_paths& paths) {
  if (!is_mount_point(paths.data)) return {};
  return unmount(paths.data);
}

uint64_t volume_size(const volume_paths& paths) {
  return layer_store::disk_usage(paths.data);
}

} // namespace berth::storage
