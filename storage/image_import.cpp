// `docker import`.
#include "storage/image_import.hpp"

#include <nlohmann/json.hpp>

#include "base/time.hpp"
#include "dockerfile/config_changes.hpp"
#include "storage/image_archive.hpp"
#include "storage/image_layers.hpp"

namespace berth::storage {

caf::expected<imported_image> import_rootfs(byte_source& body, const content_store& content,
                                            const layer_store& layers,
                                            const std::set<std::string>& present_chains,
                                            const unpack_limits& limits,
                                            const import_options& options) {
  nlohmann::json container_config = nlohmann::json::object();
  if (auto err = dockerfile::apply_changes(container_config, options.changes)) return err;
  auto blob = content.write(body, "", options.max_bytes);
  if (!blob) return blob.error();
  auto media = sniff_layer_media_type(content, blob->digest);
  // The diff ID of a compressed upload is known only after unpacking it once.
  std::string diff_id = blob->digest;
  std::vector<layer_record> created;
  if (media != media_type_layer_tar || !present_chains.count(diff_id)) {
    uint64_t tar_size = 0;
    auto rec =
        layers.create(diff_id, diff_id, "", [&](const std::string& dir) -> caf::expected<uint64_t> {
          auto fd = content.open_blob(blob->digest);
          if (!fd) return fd.error();
          fd_source source{std::move(*fd), blob->digest};
          auto result = unpack_layer(source, dir, limits, media != media_type_layer_tar);
          if (!result) return result.error();
          if (media != media_type_layer_tar) diff_id = result->diff_id;
          tar_size = result->tar_bytes;
          return result->content_bytes;
        });
    if (!rec) return rec.error();
    rec->chain_id = diff_id;
    rec->diff_id = diff_id;
    rec->blob_digest = blob->digest;
    rec->media_type = media;
    rec->tar_size = tar_size;
    if (present_chains.count(diff_id))
      (void)layers.remove(*rec); // a compressed copy of a layer we already have
    else
      created.push_back(std::move(*rec));
  }
  auto created_at = format_rfc3339(options.now_nanos);
  auto comment = options.message.empty() ? std::string("Imported from -") : options.message;
  nlohmann::ordered_json config{
      {"architecture", "amd64"},
      {"comment", comment},
      {"config", container_config},
      {"created", created_at},
      {"history", nlohmann::ordered_json::array({{{"created", created_at}, {"comment", comment}}})},
      {"os", "linux"},
      {"rootfs", {{"type", "layers"}, {"diff_ids", {diff_id}}}},
  };
  auto image = image_record::from_config(config.dump());
  if (!image) return image.error();
  return imported_image{std::move(*image), std::move(created)};
}

} // namespace berth::storage
