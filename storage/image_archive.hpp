// Reading image archives for `docker load`: the docker-save format (manifest.json, with legacy
// `<id>/layer.tar` paths or Docker 25's blobs/sha256 paths) and OCI image layouts (index.json).
// Every file of the archive is streamed into the content store as it arrives (digests of
// blobs/sha256/<hex> entries verified), then the metadata decides which images it holds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "base/byte_source.hpp"
#include "storage/content_store.hpp"

namespace berth::storage {

/// Bounds on an archive read from a client.
struct archive_limits {
  uint64_t max_bytes = 256ull << 30; ///< whole archive
  uint64_t max_entries = 100'000;
  uint64_t max_metadata_bytes = 16 << 20; ///< manifest.json, index.json, configs, manifests
};

/// One layer of an image in the archive.
struct archive_layer {
  std::string blob_digest; ///< as stored in the content store
  std::string media_type;  ///< detected from the blob's magic bytes
  uint64_t size = 0;
};

/// One image found in the archive.
struct archive_image {
  std::string config_digest; ///< image ID
  std::string config_json;
  std::string manifest_digest; ///< OCI manifest digest, when the archive had one
  std::vector<archive_layer> layers;
  std::vector<std::string> tags; ///< normalized references ("docker.io/library/busybox:latest")
};

/// Reads the archive from `source` into `blobs` and lists its images (at least one).
[[nodiscard]] caf::expected<std::vector<archive_image>>
read_image_archive(byte_source& source, const content_store& blobs, const archive_limits& limits);

/// The layer media type for a blob, from its first bytes (gzip, zstd, xz, bzip2, else plain tar).
[[nodiscard]] std::string sniff_layer_media_type(const content_store& blobs,
                                                 const std::string& digest);

} // namespace berth::storage
