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
    // A base layer: its chain ID is its diff ID, the blob's digest until unpacking tells.
    auto rec =
        unpack_blob_layer(content, layers, {blob->digest, media}, diff_id, diff_id, "", limits);
    if (!rec) return rec.error();
    diff_id = rec->diff_id;
    rec->chain_id = diff_id;
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
