// What `docker rmi` and `docker image prune` do, as plans computed from the index: which
// references go, which images and layers are deleted, the response records and events, or the
// conflict dockerd would report. The images manager persists a plan and then applies it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "base/filter_args.hpp"
#include "storage/image_index.hpp"

namespace berth::storage {

/// A container's use of an image (from the containers manager).
struct image_user {
  std::string container_id;
  std::string image_id;
  bool running = false;
};

/// One line of the DELETE /images response: exactly one of the fields is set.
struct delete_record {
  std::string untagged;
  std::string deleted;
};

struct image_event {
  std::string action; ///< "untag", "delete"
  std::string image_id;
  std::string name;
};

struct delete_plan {
  std::vector<delete_record> records;
  std::vector<std::string> remove_references;
  std::vector<std::string> remove_images;
  std::vector<std::string> remove_layers; ///< chain IDs no image uses any more
  std::vector<image_event> events;
  uint64_t space_reclaimed = 0;
  /// Images that stay while their parent goes (build cache prune): stored again without it.
  std::vector<image_record> reparented;
};

/// DELETE /images/{name}?force=&noprune= with dockerd's rules.
[[nodiscard]] caf::expected<delete_plan> plan_image_delete(const image_index& index,
                                                           std::string_view name, bool force,
                                                           bool prune,
                                                           const std::vector<image_user>& users);

/// POST /images/prune: dangling images only (default) or every unused image (`dangling=false`),
/// narrowed by `until` and `label` filters.
[[nodiscard]] caf::expected<delete_plan> plan_image_prune(const image_index& index,
                                                          const filter_args& filters,
                                                          const std::vector<image_user>& users,
                                                          int64_t now_nanos);

/// What POST /build/prune keeps: the `filters` (until / unused-for: a time or a duration before
/// now; id; type) and `reserved_space` (keep-storage, reserved-space: bytes of cache to keep).
struct build_cache_prune_options {
  filter_args filters;
  uint64_t reserved_space = 0;
};

/// POST /build/prune: the classic builder's cache is its intermediate images, so this deletes
/// every image no reference names, no container uses and that a build or commit made (it has a
/// local parent) — also those with children (a child keeps its layers and loses the parent link,
/// see `reparented`) — oldest first while more than `reserved_space` bytes of cache remain. The
/// records list the deleted images only.
[[nodiscard]] caf::expected<delete_plan>
plan_build_cache_prune(const image_index& index, const build_cache_prune_options& options,
                       const std::vector<image_user>& users, int64_t now_nanos);

/// Applies a persisted plan to the index.
void apply_plan(const delete_plan& plan, image_index& index);

} // namespace berth::storage
