// A container's volumes over its life: mounted (and filled by copy-up) before it starts,
// unmounted after it stopped, released when it is removed.
#include <caf/typed_event_based_actor.hpp>

#include "actors/blocking_pool.hpp"
#include "actors/container_actor_state.hpp"
#include "actors/directory.hpp"
#include "actors/volumes_manager.hpp"
#include "base/error.hpp"
#include "base/log.hpp"
#include "storage/volume_copy_up.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"containers"};
constexpr auto volume_timeout = std::chrono::seconds(60);

volumes_manager_actor volumes_of(container_pointer self) {
  return directory::lookup<volumes_manager_actor>(self->system(), directory::volumes);
}

std::vector<std::string> volume_names(const container_record& rec) {
  std::vector<std::string> names;
  for (const auto& v : rec.volumes)
    if (v.type == "volume") names.push_back(v.name);
  return names;
}

using mounts = std::vector<runtime::volume_mount>;

void mount_next(container_pointer self, size_t i, std::shared_ptr<mounts> out,
                std::function<void(caf::expected<mounts>)> then) {
  const auto& volumes = self->state.rec.volumes;
  if (i == volumes.size()) return then(*out);
  const auto& v = volumes[i];
  if (v.type == "bind") {
    out->push_back({v.source, v.destination, v.read_only});
    return mount_next(self, i + 1, out, then);
  }
  auto manager = volumes_of(self);
  if (!manager) return then(make_error(errc::unavailable, "the volumes manager is not running"));
  self->request(manager, volume_timeout, mount_atom_v, v.name, self->state.rec.id, v.destination,
                v.read_only)
      .then(
          [self, i, out, then](std::string& path) {
            const auto& vol = self->state.rec.volumes[i];
            out->push_back({path, vol.destination, vol.read_only});
            mount_next(self, i + 1, out, then);
          },
          [then](caf::error& err) { then(err); });
}

// Docker's copy-up, into each empty volume that allows it, from the mounted root filesystem.
void copy_up_all(container_pointer self, mounts mounted,
                 std::function<void(caf::expected<mounts>)> then) {
  std::vector<std::pair<std::string, std::string>> copies; // (container path, volume path)
  std::vector<std::string> targets;                        // every volume's container path
  const auto& volumes = self->state.rec.volumes;
  for (size_t i = 0; i < volumes.size(); ++i) {
    if (volumes[i].type != "volume") continue;
    targets.push_back(volumes[i].destination);
    if (volumes[i].copy_data) copies.emplace_back(volumes[i].destination, mounted[i].source);
  }
  if (targets.empty()) return then(mounted);
  auto pool = blocking_pool_of(self);
  if (!pool) return then(make_error(errc::unavailable, "the blocking pool is not running"));
  auto rootfs = self->state.paths.rootfs;
  run_blocking(
      self, pool,
      [rootfs, copies, targets]() -> caf::error {
        for (const auto& inside : targets)
          if (auto err = storage::check_volume_target(rootfs, inside)) return err;
        for (const auto& [inside, volume] : copies)
          if (auto err = storage::copy_up(rootfs, inside, volume)) return err;
        return {};
      },
      [then, mounted](caf::error err) {
        if (err) return then(err);
        then(mounted);
      });
}

void unmount_next(container_pointer self, std::vector<std::string> names,
                  std::function<void()> then) {
  auto manager = volumes_of(self);
  if (names.empty() || !manager) return then();
  auto name = names.back();
  names.pop_back();
  self->request(manager, volume_timeout, unmount_atom_v, name, self->state.rec.id)
      .then([self, names, then]() { unmount_next(self, names, then); },
            [self, names, then](caf::error& err) {
              lg.warn("cannot unmount a volume", {{"error", error_message(err)}});
              unmount_next(self, names, then);
            });
}

} // namespace

void mount_volumes(container_pointer self,
                   std::function<void(caf::expected<std::vector<runtime::volume_mount>>)> then) {
  self->state.volumes_mounted = true;
  mount_next(self, 0, std::make_shared<mounts>(), [self, then](caf::expected<mounts> mounted) {
    if (!mounted) return then(mounted.error());
    copy_up_all(self, std::move(*mounted), then);
  });
}

void mount_volumes_for_view(
    container_pointer self,
    std::function<void(caf::expected<std::vector<runtime::volume_mount>>)> then) {
  self->state.volumes_mounted = true;
  mount_next(self, 0, std::make_shared<mounts>(), std::move(then));
}

void unmount_volumes(container_pointer self, std::function<void()> then) {
  if (!self->state.volumes_mounted) return then();
  self->state.volumes_mounted = false;
  unmount_next(self, volume_names(self->state.rec), std::move(then));
}

void resume_volumes(container_pointer self) {
  self->state.volumes_mounted = true;
  mount_next(self, 0, std::make_shared<mounts>(), [self](caf::expected<mounts> mounted) {
    if (!mounted)
      lg.warn("cannot mount a running container's volumes again",
              {{"id", self->state.rec.id}, {"error", error_message(mounted.error())}});
  });
}

void release_volumes(container_pointer self, bool remove_anonymous, std::function<void()> then) {
  auto names = volume_names(self->state.rec);
  auto manager = volumes_of(self);
  if (names.empty() || !manager) return then();
  self->request(manager, volume_timeout, release_atom_v, self->state.rec.id, names,
                remove_anonymous)
      .then([then]() { then(); },
            [then](caf::error& err) {
              lg.warn("cannot release volumes", {{"error", error_message(err)}});
              then();
            });
}

} // namespace berth::actors
