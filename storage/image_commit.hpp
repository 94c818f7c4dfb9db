// Making images from containers (docker commit; the builder's steps): a container's overlay upper
// directory becomes a stored layer, and a parent image plus a new config, history entry and layer
// becomes a child image. Blocking (commit_upper_dir); thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include "storage/content_store.hpp"
#include "storage/image_record.hpp"
#include "storage/layer_store.hpp"
#include "storage/layer_unpack.hpp"

namespace berth::storage {

/// The layer a commit made.
struct committed_layer {
  std::string diff_id;  ///< "" when nothing changed: dockerd's empty layer (no diff ID is added)
  std::string chain_id; ///< "" with an empty layer
  std::optional<layer_record> created; ///< the new layer, unless its chain ID was present already
};

/// Turns the overlay upper directory `upper` (with `lowers`, the layer directories below it,
/// top-most first) into a layer on top of the chain `parent_chain` ("" for none): the tar of
/// `write_upper_dir_tar` is stored uncompressed in `content` (its digest is the diff ID; blobs
/// committed on this thread join the caller's lease scope), then unpacked into a new layer
/// directory, unless `present_chains` already holds the chain ID. A tar without entries stores
/// nothing and gives an empty layer. On error nothing is left behind but an unreferenced blob
/// (collected with the lease). The caller records `created` in the index.
[[nodiscard]] caf::expected<committed_layer>
commit_upper_dir(const std::string& upper, const std::vector<std::string>& lowers,
                 const std::string& parent_chain, const std::set<std::string>& present_chains,
                 const content_store& content, const layer_store& layers,
                 const unpack_limits& limits);

/// What a child image adds to its parent.
struct child_image_options {
  nlohmann::json config;           ///< the new image's "config" (Docker's container Config)
  nlohmann::json container_config; ///< "container_config" (the committed container's Config);
                                   ///< null leaves it out
  std::string container_id;        ///< "container" ("" leaves it out)
  std::string author;              ///< "author" and the history entry's author
  std::string comment;             ///< "comment" and the history entry's comment
  std::string created_by;          ///< the history entry's created_by
  std::string diff_id;             ///< the new layer, "" for an empty layer
  std::string os = "linux";
  int64_t now_nanos = 0; ///< "created" and the history entry's time
};

/// dockerd's NewChildImage: the parent's config (architecture, variant, os.version, os.features,
/// history, rootfs) with the new "config", "container", "container_config", "author",
/// "comment", "created", one more history entry (`empty_layer` when `diff_id` is "") and the diff
/// ID appended to rootfs.diff_ids. `parent` null starts from scratch (architecture "amd64").
/// Keys at the top level are sorted as dockerd writes them. The record's `parent` is the parent's
/// ID.
[[nodiscard]] caf::expected<image_record> make_child_image(const image_record* parent,
                                                           const child_image_options& child);

} // namespace berth::storage
