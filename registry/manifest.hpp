// Image manifests and indexes as registries serve them: media types, detection when the
// Content-Type is missing or generic (containerd's and dockerd's rules), parsing into
// descriptors. Docker schema 1 is refused with dockerd's deprecation message.
// Trust: manifests are untrusted registry data, bounded by max_manifest_size (4 MiB, as in
// containerd) before they are parsed; digests are validated; entry counts are bounded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

namespace berth::registry {

/// Largest manifest or index fetched or pushed.
inline constexpr size_t max_manifest_size = 4 * 1024 * 1024;

/// Largest number of layers or index entries accepted in one manifest.
inline constexpr size_t max_manifest_entries = 4096;

namespace media_type {
inline constexpr std::string_view oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view oci_config = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view docker_manifest_list =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view docker_manifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view docker_config = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view docker_schema1 =
    "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr std::string_view docker_schema1_signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
} // namespace media_type

/// The Accept header of a manifest GET: both index kinds, both image manifest kinds.
[[nodiscard]] std::string manifest_accept_header();

/// True for an OCI index or a Docker manifest list.
[[nodiscard]] bool is_index_media_type(std::string_view type);

/// True for an OCI image manifest or a Docker schema 2 manifest.
[[nodiscard]] bool is_image_manifest_media_type(std::string_view type);

/// dockerd's DeprecatedSchema1ImageError text (errc::invalid_argument); `ref` may be empty.
[[nodiscard]] caf::error schema1_error(std::string_view ref);

/// An image platform (OCI's platform object).
struct platform {
  std::string os;           ///< "linux"
  std::string architecture; ///< "amd64", "arm64"
  std::string variant;      ///< "v8", "v7", or ""
  std::string os_version;   ///< Windows only

  friend bool operator==(const platform&, const platform&) = default;
};

/// A content descriptor.
struct descriptor {
  std::string media_type;
  std::string digest;
  uint64_t size = 0;
  std::optional<registry::platform> platform; ///< index entries only
  std::vector<std::string> urls;              ///< foreign layers
  std::map<std::string, std::string> annotations;
};

/// A parsed manifest or index.
struct manifest {
  std::string media_type;
  bool index = false;
  descriptor config;                 ///< image manifests
  std::vector<descriptor> layers;    ///< image manifests
  std::vector<descriptor> manifests; ///< indexes
};

/// dockerd's detectManifestBlobMediaType: the `mediaType` field, or the shape (manifests →
/// index, config/layers → OCI manifest); schema 1 is refused.
[[nodiscard]] caf::expected<std::string> detect_manifest_media_type(std::string_view bytes);

/// The media type of a fetched manifest: its Content-Type when that names a manifest kind,
/// otherwise detected from the bytes. Schema 1 is refused.
[[nodiscard]] caf::expected<std::string> manifest_media_type(std::string_view content_type,
                                                             std::string_view bytes);

/// Parses and validates a manifest of `type` (one of the four supported kinds).
[[nodiscard]] caf::expected<manifest> parse_manifest(std::string_view bytes, std::string_view type);

} // namespace berth::registry
