// The classic builder's cache as docker sees it: the untagged images builds and commits made
// (each has a local parent). `docker system df` lists them as build cache records and
// `docker builder prune` removes them (image_delete's plan_build_cache_prune). Pure logic over
// the image index.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/image_index.hpp"

namespace berth::storage {

/// True for an image of the build cache: no reference names it and it has a local parent.
[[nodiscard]] bool is_build_cache_image(const image_index& index, const image_record& image);

/// One record of GET /system/df's BuildCache.
struct build_cache_record {
  std::string id;          ///< the image ID
  std::string parent;      ///< its parent image ID
  std::string description; ///< the step that made it (its last history entry's created_by)
  uint64_t size = 0;       ///< bytes a prune would free on its account
  int64_t created_nanos = 0;
};

/// The cache images, oldest first. A layer counts once, for the oldest cache image it tops, and
/// only when no image outside the cache uses it — so the sizes add up to what a prune frees.
[[nodiscard]] std::vector<build_cache_record> build_cache_records(const image_index& index);

} // namespace berth::storage
