// `docker import`: a root filesystem tarball (plain or compressed) becomes a one-layer image,
// its config built from `--change` instructions and the commit message.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "base/byte_source.hpp"
#include "storage/content_store.hpp"
#include "storage/image_record.hpp"
#include "storage/layer_store.hpp"
#include "storage/layer_unpack.hpp"

namespace berth::storage {

struct import_options {
  std::string message;              ///< history comment ("" → "Imported from -")
  std::vector<std::string> changes; ///< Dockerfile instructions applied to the config
  int64_t now_nanos = 0;
  uint64_t max_bytes = 64ull << 30;
};

struct imported_image {
  image_record image;
  std::vector<layer_record> new_layers; ///< empty when the layer already existed
};

[[nodiscard]] caf::expected<imported_image>
import_rootfs(byte_source& body, const content_store& content, const layer_store& layers,
              const std::set<std::string>& present_chains, const unpack_limits& limits,
              const import_options& options);

} // namespace berth::storage
