// Protocol of the volumes manager: the index of volumes by name, one volume actor per volume
// (volume_actor.hpp), and what containers ask of volumes (acquire at create, mount at start,
// unmount at the exit, release at removal).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/daemon_context.hpp"
#include "actors/message_types.hpp"
#include "actors/volume_record.hpp"

namespace berth::actors {

/// Counts reported by the volumes manager.
struct volume_counts {
  uint64_t volumes = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, volume_counts& x) {
  return f(caf::meta::type_name("berth.volume_counts"), x.volumes);
}

/// POST /volumes/create
struct volume_create_request {
  std::string name; ///< "" = a random name
  std::string driver;
  std::map<std::string, std::string> options;
  std::map<std::string, std::string> labels;
};

/// Messages:
/// - `(get, counts)`; `(get, ready)`: answered once the stored volumes are back.
/// - `(create, request)` → record (idempotent for the same name and driver);
///   `(list, filters)`; `(inspect, name)`; `(delete, name, force)`; `(prune, filters)`;
///   `(get, usage)` → every volume with its size (system df).
/// - `(acquire, container, claims)` → the claims with names: creates the missing volumes and
///   records the container as a user. `(release, container, names, remove_anonymous)`.
/// - `(mount, name, container, destination, read_only)` → host path;
///   `(unmount, name, container)`.
using volumes_manager_actor = caf::typed_actor<
    caf::replies_to<caf::get_atom, counts_atom>::with<volume_counts>,
    caf::replies_to<caf::get_atom, ready_atom>::with<void>,
    caf::replies_to<create_atom, volume_create_request>::with<volume_record>,
    caf::replies_to<list_atom, filter_args>::with<std::vector<volume_record>>,
    caf::replies_to<inspect_atom, std::string>::with<volume_record>,
    caf::replies_to<caf::delete_atom, std::string, bool>::with<void>,
    caf::replies_to<prune_atom, filter_args>::with<volume_prune_result>,
    caf::replies_to<caf::get_atom, usage_atom>::with<std::vector<volume_usage>>,
    caf::replies_to<acquire_atom, std::string,
                    std::vector<volume_claim>>::with<std::vector<volume_claim>>,
    caf::replies_to<release_atom, std::string, std::vector<std::string>, bool>::with<void>,
    caf::replies_to<mount_atom, std::string, std::string, std::string, bool>::with<std::string>,
    caf::replies_to<unmount_atom, std::string, std::string>::with<void>>;

[[nodiscard]] volumes_manager_actor
spawn_volumes_manager(caf::actor_system& sys, std::shared_ptr<const daemon_context> ctx);

} // namespace berth::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::volume_create_request)
