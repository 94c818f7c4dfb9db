// A stored image: its config (whose sha256 is the image ID), its layers by diff and chain ID, and
// local metadata (parent, tag time). Serialised as JSON into the state store.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include "storage/layer_store.hpp"

namespace berth::storage {

struct image_record {
  std::string id;                     ///< "sha256:<hex>" = digest of config_json
  std::string config_json;            ///< the config bytes exactly as stored
  nlohmann::json config;              ///< parsed config_json
  std::vector<std::string> diff_ids;  ///< rootfs.diff_ids
  std::vector<std::string> chain_ids; ///< derived from diff_ids
  std::string parent;                 ///< local parent image ID (builds, commits), or ""
  std::string manifest_digest;        ///< digest of the manifest it came with, if any
  int64_t created_nanos = 0;          ///< config "created"
  int64_t last_tag_nanos = 0;         ///< Metadata.LastTagTime (0 = never tagged locally)

  /// Builds a record from raw config bytes: parses, checks rootfs, derives chain IDs.
  [[nodiscard]] static caf::expected<image_record> from_config(std::string config_json);

  /// The config's labels (config.Labels), empty when none.
  [[nodiscard]] std::map<std::string, std::string> labels() const;
};

/// State store (de)serialisation.
[[nodiscard]] std::string to_state_json(const image_record& image);
[[nodiscard]] caf::expected<image_record> image_from_state_json(const std::string& text);
[[nodiscard]] std::string to_state_json(const layer_record& layer);
[[nodiscard]] caf::expected<layer_record> layer_from_state_json(const std::string& text);

/// Media types of layer blobs.
inline constexpr const char* media_type_layer_tar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr const char* media_type_layer_gzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr const char* media_type_layer_zstd = "application/vnd.oci.image.layer.v1.tar+zstd";
/// Not OCI media types: how Berth records layers that arrived xz or bzip2 compressed.
inline constexpr const char* media_type_layer_xz = "application/vnd.oci.image.layer.v1.tar+xz";
inline constexpr const char* media_type_layer_bzip2 =
    "application/vnd.oci.image.layer.v1.tar+bzip2";
inline constexpr const char* media_type_docker_layer_gzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";

} // namespace berth::storage
