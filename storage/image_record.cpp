// A stored image.
#include "storage/image_record.hpp"

#include "base/error.hpp"
#include "base/time.hpp"
#include "storage/chain_id.hpp"
#include "storage/digest.hpp"

namespace berth::storage {

namespace {

using json = nlohmann::json;

caf::error invalid_config(const std::string& why) {
  return make_error(errc::invalid_argument, "invalid image config: " + why);
}

} // namespace

caf::expected<image_record> image_record::from_config(std::string config_json) {
  image_record img;
  img.config = json::parse(config_json, nullptr, false);
  if (img.config.is_discarded() || !img.config.is_object())
    return invalid_config("not a JSON object");
  const auto& rootfs = img.config.value("rootfs", json::object());
  if (!rootfs.is_object() || rootfs.value("type", "") != "layers")
    return invalid_config("rootfs.type must be \"layers\"");
  const auto& diffs = rootfs.value("diff_ids", json::array());
  if (!diffs.is_array()) return invalid_config("rootfs.diff_ids must be a list");
  for (const auto& d : diffs) {
    if (!d.is_string() || !is_sha256_digest(d.get<std::string>()))
      return invalid_config("bad diff_id " + d.dump());
    img.diff_ids.push_back(d.get<std::string>());
  }
  img.chain_ids = storage::chain_ids(img.diff_ids);
  if (img.config.contains("created") && img.config["created"].is_string())
    img.created_nanos = parse_rfc3339(img.config["created"].get<std::string>()).value_or(0);
  img.id = sha256_digest(config_json);
  img.config_json = std::move(config_json);
  return img;
}

std::map<std::string, std::string> image_record::labels() const {
  std::map<std::string, std::string> out;
  auto c = config.find("config");
  if (c == config.end() || !c->is_object()) return out;
  auto l = c->find("Labels");
  if (l == c->end() || !l->is_object()) return out;
  for (const auto& [k, v] : l->items())
    if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}

std::string to_state_json(const image_record& image) {
  return json{{"id", image.id},
              {"config", image.config_json},
              {"parent", image.parent},
              {"manifest_digest", image.manifest_digest},
              {"last_tag_nanos", image.last_tag_nanos}}
      .dump();
}

caf::expected<image_record> image_from_state_json(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.contains("config") || !j["config"].is_string())
    return make_error(errc::internal, "corrupt image record");
  auto img = image_record::from_config(j["config"].get<std::string>());
  if (!img) return img.error();
  img->parent = j.value("parent", "");
  img->manifest_digest = j.value("manifest_digest", "");
  img->last_tag_nanos = j.value("last_tag_nanos", int64_t{0});
  return img;
}

std::string to_state_json(const layer_record& l) {
  return json{{"chain_id", l.chain_id}, {"diff_id", l.diff_id},       {"parent", l.parent},
              {"cache_id", l.cache_id}, {"link_id", l.link_id},       {"size", l.size},
              {"blob", l.blob_digest},  {"media_type", l.media_type}, {"tar_size", l.tar_size}}
      .dump();
}

caf::expected<layer_record> layer_from_state_json(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error(errc::internal, "corrupt layer record");
  layer_record l;
  l.chain_id = j.value("chain_id", "");
  l.diff_id = j.value("diff_id", "");
  l.parent = j.value("parent", "");
  l.cache_id = j.value("cache_id", "");
  l.link_id = j.value("link_id", "");
  l.size = j.value("size", uint64_t{0});
  l.blob_digest = j.value("blob", "");
  l.media_type = j.value("media_type", "");
  l.tar_size = j.value("tar_size", uint64_t{0});
  if (l.chain_id.empty() || l.cache_id.empty())
    return make_error(errc::internal, "corrupt layer record");
  return l;
}

} // namespace berth::storage
