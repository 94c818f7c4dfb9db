// Writing image archives for `docker save`: Docker 25's layout, which is both a docker-save
// archive (manifest.json, repositories) and an OCI image layout (oci-layout, index.json,
// blobs/sha256), so the result loads into dockerd, podman, skopeo and Berth. Layers are written
// uncompressed (their digest is the diff ID), decompressing stored blobs on the fly.
#pragma once

#include <string>
#include <vector>

#include <caf/error.hpp>

#include "base/byte_sink.hpp"
#include "storage/content_store.hpp"
#include "storage/image_record.hpp"
#include "storage/layer_store.hpp"

namespace berth::storage {

struct export_image {
  const image_record* image = nullptr;
  std::vector<const layer_record*> layers; ///< bottom first, one per diff ID
  std::vector<std::string> tags;           ///< normalized references to record
};

/// Writes the archive for `images` to `out`.
[[nodiscard]] caf::error write_image_archive(const std::vector<export_image>& images,
                                             const content_store& blobs, byte_sink& out);

} // namespace berth::storage
