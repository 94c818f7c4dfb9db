// Turning an image's layer blobs into unpacked layers: each missing chain ID is unpacked once
// from its blob (plain, gzip or zstd), its diff ID checked against the image config. Also the
// one way any stored blob becomes a layer (commit, import).
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "storage/content_store.hpp"
#include "storage/layer_store.hpp"
#include "storage/layer_unpack.hpp"

namespace berth::storage {

/// A layer blob of an image, bottom first.
struct layer_blob {
  std::string digest;
  std::string media_type;
};

/// Reports the extraction of layer `index`: blob bytes read so far and the blob's size.
using unpack_progress = std::function<void(size_t index, uint64_t read, uint64_t total)>;

/// Reports the reading of one blob: bytes read so far and the blob's size.
using blob_progress = std::function<void(uint64_t read, uint64_t total)>;

/// Unpacks `blob` from `content` into a new layer of `layers` (`chain_id` on `parent`, "" for a
/// base layer) and returns its record with the blob's digest and media type and the tar size.
/// The record's diff ID is `diff_id` for a plain tar; a compressed blob's is computed while
/// unpacking, for the caller to check or adopt. `on_read` (optional) is called as the blob is
/// read. On error no layer directory is left.
[[nodiscard]] caf::expected<layer_record>
unpack_blob_layer(const content_store& content, const layer_store& layers, const layer_blob& blob,
                  const std::string& chain_id, const std::string& diff_id,
                  const std::string& parent, const unpack_limits& limits,
                  const blob_progress& on_read = {});

/// Unpacks the layers of an image that are not in `present` (chain IDs). Returns the new layer
/// records, bottom first. `diff_ids` come from the image config and must match the blobs.
/// `on_progress` (optional) is called as each blob is read.
[[nodiscard]] caf::expected<std::vector<layer_record>>
unpack_image_layers(const std::vector<std::string>& diff_ids, const std::vector<layer_blob>& blobs,
                    const std::set<std::string>& present, const content_store& content,
                    const layer_store& layers, const unpack_limits& limits,
                    const unpack_progress& on_progress = {});

} // namespace berth::storage
