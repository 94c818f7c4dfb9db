// Protocol of the containers manager: the name/ID index of containers, creation, listing from the
// summaries the container actors publish, prune, rename, and the supervision of one actor per
// container (restored from the store at daemon start, with live restore and restart policies).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/typed_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/atoms.hpp"
#include "actors/container_actor.hpp"
#include "actors/daemon_context.hpp"
#include "actors/message_types.hpp"
#include "base/filter_args.hpp"
#include "storage/image_delete.hpp"

namespace berth::actors {

/// Container counts by state, as /info and the metrics report them.
struct container_counts {
  uint64_t total = 0;
  uint64_t running = 0;
  uint64_t paused = 0;
  uint64_t stopped = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, container_counts& x) {
  return f(caf::meta::type_name("berth.container_counts"), x.total, x.running, x.paused, x.stopped);
}

/// What `docker ps` shows of a container; published by its actor after every change.
struct container_summary {
  std::string id;
  std::string name;
  std::string image; ///< Config.Image as given
  std::string image_id;
  std::string command; ///< Path and Args joined
  int64_t created_nanos = 0;
  container_status status = container_status::created;
  int exit_code = 0;
  int64_t started_at = 0;
  int64_t finished_at = 0;
  std::map<std::string, std::string> labels;
  std::string network_mode;
  std::string health;                      ///< "", "starting", "healthy", "unhealthy"
  std::string rw_dir;                      ///< the read-write layer's files (for sizes)
  uint64_t image_size = 0;                 ///< the image's size when the container was created
  int64_t size_rw = -1;                    ///< bytes in the read-write layer (-1: not computed)
  int64_t size_root_fs = -1;               ///< image + read-write layer (-1: not computed)
  std::vector<container_network> networks; ///< for NetworkSettings.Networks
  std::set<std::string> exposed_ports;     ///< "80/tcp"
  std::vector<net::published_port> ports;  ///< host ports while running
  std::vector<std::string> mount_keys;     ///< volume names, bind sources, destinations
};

struct create_request {
  std::string name;    ///< ?name= ("" = generated)
  nlohmann::json body; ///< Config + HostConfig + NetworkingConfig
};

struct create_result {
  std::string id;
  std::vector<std::string> warnings;
};

struct container_list_query {
  bool all = false;
  int limit = -1;
  bool size = false;
  filter_args filters;
};

struct container_prune_result {
  std::vector<std::string> deleted;
  uint64_t space_reclaimed = 0;
};

/// A container found by name or ID prefix.
struct resolved_container {
  std::string id;
  container_actor actor;
};

/// Messages:
/// - `(get, counts)` → container_counts; `(get, users)` → image users (image delete/prune)
/// - `(create, request)` → create_result (404 No such image, 409 name in use, 400 bad config)
/// - `(resolve, name-or-id-prefix)` → resolved_container (404 No such container)
/// - `(resolve, exec, exec-id)` → the container of an exec (404 No such exec instance)
/// - `(list, query)` → summaries for GET /containers/json
/// - `(prune, filters)` → container_prune_result
/// - `(rename, name, new_name)`
/// - `(update, summary)`, `(removed, id)`: from container actors (internal)
/// - `(shutdown, stop_containers)`: the daemon is stopping (live-restore off stops containers)
using containers_manager_actor = caf::typed_actor<
    caf::replies_to<caf::get_atom, counts_atom>::with<container_counts>,
    caf::replies_to<caf::get_atom, ready_atom>::with<void>,
    caf::replies_to<caf::get_atom, users_atom>::with<std::vector<storage::image_user>>,
    caf::replies_to<create_atom, create_request>::with<create_result>,
    caf::replies_to<resolve_atom, std::string>::with<resolved_container>,
    caf::replies_to<resolve_atom, exec_atom, std::string>::with<resolved_container>,
    caf::replies_to<list_atom, container_list_query>::with<std::vector<container_summary>>,
    caf::replies_to<prune_atom, filter_args>::with<container_prune_result>,
    caf::replies_to<rename_atom, std::string, std::string>::with<void>,
    caf::reacts_to<update_atom, container_summary>, caf::reacts_to<removed_atom, std::string>,
    caf::replies_to<shutdown_atom, bool>::with<void>>;

[[nodiscard]] containers_manager_actor
spawn_containers_manager(caf::actor_system& sys, std::shared_ptr<const daemon_context> ctx);

} // namespace berth::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<berth::storage::image_user>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::container_summary)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<berth::actors::container_summary>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::create_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::create_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::container_list_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::container_prune_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::resolved_container)
