// Manifest media types and parsing.
#include "registry/manifest.hpp"

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "storage/reference.hpp"

namespace berth::registry {

namespace {

using json = nlohmann::json;

caf::error invalid(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

std::string string_field(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

caf::expected<registry::platform> parse_platform_object(const json& p) {
  if (!p.is_object()) return invalid("invalid manifest: platform is not an object");
  registry::platform out;
  out.os = string_field(p, "os");
  out.architecture = string_field(p, "architecture");
  out.variant = string_field(p, "variant");
  out.os_version = string_field(p, "os.version");
  return out;
}

caf::expected<descriptor> parse_descriptor(const json& d, const char* what) {
  if (!d.is_object())
    return invalid(std::string("invalid manifest: ") + what + " is not an object");
  descriptor out;
  out.media_type = string_field(d, "mediaType");
  out.digest = string_field(d, "digest");
  if (auto err = storage::validate_digest(out.digest))
    return invalid(std::string("invalid manifest: ") + what + " digest \"" + out.digest +
                   "\": " + error_message(err));
  auto size = d.find("size");
  if (size == d.end() || !size->is_number_integer() || size->get<int64_t>() < 0)
    return invalid(std::string("invalid manifest: ") + what + " has no valid size");
  out.size = size->get<uint64_t>();
  if (auto p = d.find("platform"); p != d.end() && !p->is_null()) {
    auto parsed = parse_platform_object(*p);
    if (!parsed) return std::move(parsed.error());
    out.platform = std::move(*parsed);
  }
  if (auto urls = d.find("urls"); urls != d.end() && urls->is_array())
    for (const auto& u : *urls)
      if (u.is_string()) out.urls.push_back(u.get<std::string>());
  if (auto a = d.find("annotations"); a != d.end() && a->is_object())
    for (const auto& [k, v] : a->items())
      if (v.is_string()) out.annotations.emplace(k, v.get<std::string>());
  return out;
}

caf::expected<std::vector<descriptor>> parse_list(const json& doc, const char* key, bool required) {
  std::vector<descriptor> out;
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) {
    if (required) return invalid(std::string("invalid manifest: no ") + key);
    return out;
  }
  if (!it->is_array()) return invalid(std::string("invalid manifest: ") + key + " is not a list");
  if (it->size() > max_manifest_entries)
    return invalid(std::string("invalid manifest: too many ") + key);
  for (const auto& d : *it) {
    auto parsed = parse_descriptor(d, key);
    if (!parsed) return std::move(parsed.error());
    out.push_back(std::move(*parsed));
  }
  return out;
}

} // namespace

std::string manifest_accept_header() {
  return std::string(media_type::oci_index) + ", " + std::string(media_type::docker_manifest_list) +
         ", " + std::string(media_type::oci_manifest) + ", " +
         std::string(media_type::docker_manifest);
}

bool is_index_media_type(std::string_view type) {
  return type == media_type::oci_index || type == media_type::docker_manifest_list;
}

bool is_image_manifest_media_type(std::string_view type) {
  return type == media_type::oci_manifest || type == media_type::docker_manifest;
}

caf::error schema1_error(std::string_view ref) {
  std::string msg = "Docker Image Format v1 and Docker Image manifest version 2, schema 1 "
                    "support has been removed.";
  if (!ref.empty())
    msg += " Suggest the author of " + std::string(ref) +
           " to upgrade the image to the OCI Format or Docker Image manifest v2, schema 2.";
  msg += " More information at https://docs.docker.com/go/deprecated-image-specs/";
  return make_error(errc::invalid_argument, std::move(msg));
}

caf::expected<std::string> detect_manifest_media_type(std::string_view bytes) {
  if (bytes.size() > max_manifest_size) return invalid("manifest too large");
  auto doc = json::parse(bytes, nullptr, false);
  if (!doc.is_object()) return invalid("error detecting media type: invalid JSON");
  auto type = string_field(doc, "mediaType");
  bool has_manifests = doc.contains("manifests");
  bool has_config = doc.contains("config");
  bool has_layers = doc.contains("layers");
  bool has_fs_layers = doc.contains("fsLayers");
  if (is_image_manifest_media_type(type)) {
    if (has_manifests || has_fs_layers)
      return invalid("media-type: \"" + type + "\" should not have \"manifests\" or \"fsLayers\"");
    return type;
  }
  if (is_index_media_type(type)) {
    if (has_config || has_layers || has_fs_layers)
      return invalid("media-type: \"" + type +
                     "\" should not have \"config\", \"layers\", or \"fsLayers\"");
    return type;
  }
  if (type == media_type::docker_schema1 || type == media_type::docker_schema1_signed)
    return schema1_error({});
  if (!type.empty()) return type;
  if (has_fs_layers && !has_manifests && !has_layers && !has_config) return schema1_error({});
  if ((has_config || has_layers) && !has_manifests && !has_fs_layers)
    return std::string(media_type::oci_manifest);
  if (!has_config && !has_layers && !has_fs_layers) return std::string(media_type::oci_index);
  return invalid("media-type: cannot determine");
}

caf::expected<std::string> manifest_media_type(std::string_view content_type,
                                               std::string_view bytes) {
  auto type = content_type.substr(0, content_type.find(';'));
  while (type.ends_with(' '))
    type.remove_suffix(1);
  if (type == media_type::docker_schema1 || type == media_type::docker_schema1_signed)
    return schema1_error({});
  if (is_index_media_type(type) || is_image_manifest_media_type(type)) return std::string(type);
  return detect_manifest_media_type(bytes);
}

caf::expected<manifest> parse_manifest(std::string_view bytes, std::string_view type) {
  if (bytes.size() > max_manifest_size)
    return invalid("manifest too large: " + std::to_string(bytes.size()) + " bytes (the limit is " +
                   std::to_string(max_manifest_size) + ")");
  auto doc = json::parse(bytes, nullptr, false);
  if (!doc.is_object()) return invalid("invalid manifest: not a JSON object");
  manifest out;
  out.media_type = std::string(type);
  if (auto declared = string_field(doc, "mediaType"); !declared.empty() && declared != type)
    return invalid("invalid manifest: mediaType \"" + declared + "\" does not match \"" +
                   std::string(type) + "\"");
  if (auto version = doc.find("schemaVersion");
      version != doc.end() && (!version->is_number_integer() || version->get<int64_t>() != 2)) {
    if (version->is_number_integer() && version->get<int64_t>() == 1) return schema1_error({});
    return invalid("invalid manifest: unsupported schemaVersion");
  }
  if (is_index_media_type(type)) {
    out.index = true;
    auto list = parse_list(doc, "manifests", true);
    if (!list) return std::move(list.error());
    out.manifests = std::move(*list);
    return out;
  }
  if (!is_image_manifest_media_type(type))
    return invalid("unsupported media type " + std::string(type));
  auto config = doc.find("config");
  if (config == doc.end()) return invalid("invalid manifest: no config");
  auto parsed = parse_descriptor(*config, "config");
  if (!parsed) return std::move(parsed.error());
  out.config = std::move(*parsed);
  auto layers = parse_list(doc, "layers", true);
  if (!layers) return std::move(layers.error());
  out.layers = std::move(*layers);
  return out;
}

} // namespace berth::registry
