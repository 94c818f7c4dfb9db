// Protocol of the images manager: the local image store. It owns the index of images, references
// and layers (persisted in the state store), answers queries from that index, applies tag /
// delete / prune, and runs one job actor per load, import or pull, and pushes. Blocking work
// (archive reading, layer unpacking, blob GC, layer removal) runs on the blocking pool; pulls and
// pushes on threads of their own.
#pragma once

#include <cstdint>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/daemon_context.hpp"
#include "actors/image_job.hpp"
#include "actors/message_types.hpp"
#include "base/byte_sink.hpp"
#include "base/byte_source.hpp"
#include "base/filter_args.hpp"
#include "distribution/progress_output.hpp"
#include "registry/credentials.hpp"
#include "registry/manifest.hpp"
#include "storage/build_cache.hpp"
#include "storage/image_delete.hpp"
#include "storage/image_record.hpp"
#include "storage/layer_store.hpp"
#include "storage/reference.hpp"

namespace berth::actors {

/// Counts reported by the images manager.
struct image_counts {
  uint64_t images = 0;
  int64_t layers_size = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, image_counts& x) {
  return f(caf::meta::type_name("berth.image_counts"), x.images, x.layers_size);
}

/// A local parent of an image (builds, commits), for docker history.
struct image_ancestor {
  std::string id;
  std::vector<std::string> repo_tags; ///< familiar
};

/// A snapshot of one image for the API layer.
struct image_view {
  storage::image_record image;
  std::vector<std::string> repo_tags;        ///< familiar, e.g. "busybox:latest"
  std::vector<std::string> repo_digests;     ///< familiar, e.g. "busybox@sha256:..."
  uint64_t size = 0;                         ///< sum of its layers
  int64_t containers = -1;                   ///< containers using it (-1: not counted)
  std::vector<storage::layer_record> layers; ///< bottom first
  std::string layer_root;                    ///< overlay2 directory (GraphDriver data)
  std::vector<image_ancestor> ancestors;     ///< parent, its parent...: filled by inspect only
};

/// The directories of an image's layers, top-most first (a container's or a build step's
/// overlay lower_dirs).
[[nodiscard]] std::vector<std::string> lower_dirs_of(const image_view& v);

struct image_list_query {
  bool all = false;
  filter_args filters;
};

struct tag_request {
  std::string source; ///< name or ID of the image
  std::string repo;   ///< repository as the client sent it
  std::string tag;    ///< "" = latest
};

struct delete_request {
  std::string name;
  bool force = false;
  bool prune = true; ///< !noprune
};

struct delete_outcome {
  std::vector<storage::delete_record> records;
  uint64_t space_reclaimed = 0;
};

struct load_request {
  std::shared_ptr<byte_source> body;
};

/// What a load reports, one line per image: "Loaded image: busybox:latest" or
/// "Loaded image ID: sha256:...".
struct load_outcome {
  std::vector<std::string> lines;
};

struct import_request {
  std::shared_ptr<byte_source> body;
  std::string repo; ///< optional reference to tag the result with
  std::string tag;
  std::string message;
  std::vector<std::string> changes;
};

/// docker commit (from the container's actor): the container's upper directory becomes a layer on
/// its image, and the image with that layer and `child`'s config becomes a new image.
struct image_commit_request {
  std::string parent_id; ///< the container's image ("" = from scratch)
  std::string upper_dir; ///< the container's overlay upper directory ("": an empty layer)
  std::vector<std::string> lower_dirs; ///< the image's layer directories, top-most first
  storage::child_image_options child;  ///< config, container, author, comment, created_by
  std::string reference;               ///< normalized reference to tag the image with, or ""
};

struct save_request {
  std::vector<std::string> names;
  std::shared_ptr<byte_sink> out;
};

/// docker pull. The progress goes to `progress` as it happens; the manager adds the final
/// "Status: ..." line once the image is recorded.
struct image_pull_request {
  storage::reference ref; ///< normalized; a tag, a digest, or neither (every tag)
  registry::platform platform;
  registry::registry_credentials credentials;
  std::shared_ptr<distribution::progress_output> progress;
  std::stop_token stop; ///< requested when the client goes away
};

struct image_pull_outcome {
  bool updated = false; ///< false: "Image is up to date"
};

/// docker push of one tag, or of every tag of a repository when `ref` has none.
struct image_push_request {
  storage::reference ref;
  registry::registry_credentials credentials;
  std::shared_ptr<distribution::progress_output> progress;
  std::stop_token stop;
};

/// The classic builder's cache probe (dockerd's image cache): which image a step would make.
struct build_cache_probe {
  std::string parent_id;           ///< the step's image ("" = scratch)
  nlohmann::json container_config; ///< the step's, with its "#(nop)" or RUN command
};

/// Disk usage of images (GET /system/df).
struct image_usage {
  std::vector<image_view> images;
  uint64_t layers_size = 0;
  std::map<std::string, uint64_t> shared_size; ///< image ID → bytes shared with other images
  std::vector<storage::build_cache_record> build_cache; ///< the classic builder's cache
};

/// Messages:
/// - `(get, counts)` → image_counts
/// - `(list, query)` → image views matching GET /images/json
/// - `(inspect, name)` → image_view (404 No such image)
/// - `(tag, request)` → (); `(delete, request)` → delete_outcome; `(prune, filters)` → outcome
/// - `(prune, build_cache_prune_options)` → delete_outcome: the build cache (POST /build/prune)
/// - `(load, request)` / `(import, request)` → run a job actor; load_outcome / image ID
/// - `(commit, image_commit_request)` → image ID: a job actor like import; events `create`, `tag`
/// - `(save, request)` → () once the archive is written to the sink
/// - `(get, usage)` → image_usage
/// - `(get, build_cache_probe)` → the ID of the newest child of the parent with that
///   container_config, "" when there is none
/// - `(pull, request)` → a job actor pulls; image_pull_outcome once recorded
/// - `(push, request)` → () once pushed and the repository digests recorded
/// - `(job_done, id, outcome)`: from a job actor (internal)
using images_manager_actor = caf::typed_actor<
    caf::replies_to<caf::get_atom, counts_atom>::with<image_counts>,
    caf::replies_to<list_atom, image_list_query>::with<std::vector<image_view>>,
    caf::replies_to<inspect_atom, std::string>::with<image_view>,
    caf::replies_to<tag_atom, tag_request>::with<void>,
    caf::replies_to<caf::delete_atom, delete_request>::with<delete_outcome>,
    caf::replies_to<prune_atom, filter_args>::with<delete_outcome>,
    caf::replies_to<prune_atom, storage::build_cache_prune_options>::with<delete_outcome>,
    caf::replies_to<load_atom, load_request>::with<load_outcome>,
    caf::replies_to<import_atom, import_request>::with<std::string>,
    caf::replies_to<commit_atom, image_commit_request>::with<std::string>,
    caf::replies_to<save_atom, save_request>::with<void>,
    caf::replies_to<caf::get_atom, usage_atom>::with<image_usage>,
    caf::replies_to<caf::get_atom, build_cache_probe>::with<std::string>,
    caf::replies_to<pull_atom, image_pull_request>::with<image_pull_outcome>,
    caf::replies_to<push_atom, image_push_request>::with<void>,
    caf::reacts_to<job_done_atom, uint64_t, image_job_outcome>>;

[[nodiscard]] images_manager_actor spawn_images_manager(caf::actor_system& sys,
                                                        std::shared_ptr<const daemon_context> ctx);

} // namespace berth::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::image_view)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<berth::actors::image_view>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::image_list_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::tag_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::delete_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::delete_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::storage::build_cache_prune_options)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::load_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::load_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::import_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::image_commit_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::save_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::image_usage)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::build_cache_probe)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::image_pull_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::image_pull_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::image_push_request)
