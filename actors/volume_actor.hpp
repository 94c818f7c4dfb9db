// Protocol of a volume actor: one per volume, owning its record (labels, options, the containers
// that use it) and the mounts of its filesystem. It persists every change before replying; disk
// and mount work runs on the blocking pool.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/daemon_context.hpp"
#include "actors/volume_record.hpp"

namespace berth::actors {

/// Messages:
/// - `(create)`: a new volume: directory made, record stored.
/// - `(inspect)` → record; `(get, usage)` → bytes under its data directory.
/// - `(acquire, container)`, `(release, container)`: the container references it, or no more.
/// - `(mount, container, destination, read_only)` → the host path to bind: mounts its filesystem
/// (options) for the
///   first container; `(unmount, container)`: unmounts it after the last one.
/// - `(delete)`: 409 while containers use it; removes data and record, then quits.
using volume_actor =
    caf::typed_actor<caf::replies_to<create_atom>::with<void>,
                     caf::replies_to<inspect_atom>::with<volume_record>,
                     caf::replies_to<caf::get_atom, usage_atom>::with<int64_t>,
                     caf::replies_to<acquire_atom, std::string>::with<void>,
                     caf::replies_to<release_atom, std::string>::with<void>,
                     caf::replies_to<mount_atom, std::string, std::string, bool>::with<std::string>,
                     caf::replies_to<unmount_atom, std::string>::with<void>,
                     caf::replies_to<caf::delete_atom>::with<void>>;

[[nodiscard]] volume_actor spawn_volume_actor(caf::actor_system& sys,
                                              std::shared_ptr<const daemon_context> ctx,
                                              volume_record record);

/// The volume's Mountpoint: <data-root>/volumes/<name>/_data.
[[nodiscard]] std::string volume_mountpoint(const daemon_context& ctx, const std::string& name);

} // namespace berth::actors
