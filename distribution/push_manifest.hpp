// The manifest a push writes for a local image: Docker schema 2 when every layer blob is a gzip
// tar (what `docker push` of a pulled image sends), otherwise an OCI image manifest with each
// blob's OCI media type (a plain tar stays a plain tar: its digest is the config's diff ID, so
// nothing is re-packed and the image ID survives the round trip). The config is the image's
// config JSON exactly as stored.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace berth::distribution {

/// A layer blob as stored locally.
struct push_blob {
  std::string digest;
  std::string media_type; ///< as recorded in the layer store
  uint64_t size = 0;
};

struct built_manifest {
  std::string media_type;
  std::string bytes;
  std::vector<std::string> layer_media_types; ///< what the manifest calls each layer
};

/// The media type a layer blob is pushed as in an OCI manifest, or an error for blobs that
/// cannot be pushed as they are (xz, bzip2: not registry media types).
[[nodiscard]] caf::expected<std::string> oci_layer_media_type(const std::string& stored);

/// Builds the manifest (3-space indented JSON, as the docker CLI and dockerd write them).
[[nodiscard]] caf::expected<built_manifest>
build_push_manifest(const std::string& config_digest, uint64_t config_size,
                    const std::vector<push_blob>& layers);

} // namespace berth::distribution
