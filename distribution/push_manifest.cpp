// Manifests for pushes.
#include "distribution/push_manifest.hpp"

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "registry/manifest.hpp"
#include "storage/image_record.hpp"

namespace berth::distribution {

namespace {

bool is_gzip(const std::string& type) {
  return type == storage::media_type_docker_layer_gzip || type == storage::media_type_layer_gzip;
}

nlohmann::ordered_json descriptor(const std::string& media_type, uint64_t size,
                                  const std::string& digest) {
  return nlohmann::ordered_json{{"mediaType", media_type}, {"size", size}, {"digest", digest}};
}

} // namespace

caf::expected<std::string> oci_layer_media_type(const std::string& stored) {
  if (is_gzip(stored)) return std::string(storage::media_type_layer_gzip);
  if (stored == storage::media_type_layer_tar ||
      stored == "application/vnd.docker.image.rootfs.diff.tar")
    return std::string(storage::media_type_layer_tar);
  if (stored == storage::media_type_layer_zstd) return stored;
  return make_error(errc::not_implemented,
                    "cannot push a layer stored as " + stored +
                        ": registries take plain, gzip or zstd tars (save and load it as one)");
}

caf::expected<built_manifest> build_push_manifest(const std::string& config_digest,
                                                  uint64_t config_size,
                                                  const std::vector<push_blob>& layers) {
  bool docker = !layers.empty();
  for (const auto& l : layers)
    docker = docker && is_gzip(l.media_type);
  built_manifest out;
  nlohmann::ordered_json layer_list = nlohmann::ordered_json::array();
  for (const auto& l : layers) {
    std::string type;
    if (docker) {
      type = storage::media_type_docker_layer_gzip;
    } else {
      auto oci = oci_layer_media_type(l.media_type);
      if (!oci) return std::move(oci.error());
      type = std::move(*oci);
    }
    out.layer_media_types.push_back(type);
    layer_list.push_back(descriptor(type, l.size, l.digest));
  }
  out.media_type = std::string(docker ? registry::media_type::docker_manifest
                                      : registry::media_type::oci_manifest);
  auto config_type =
      std::string(docker ? registry::media_type::docker_config : registry::media_type::oci_config);
  nlohmann::ordered_json m{{"schemaVersion", 2},
                           {"mediaType", out.media_type},
                           {"config", descriptor(config_type, config_size, config_digest)},
                           {"layers", std::move(layer_list)}};
  out.bytes = m.dump(3);
  return out;
}

} // namespace berth::distribution
