// Writing image archives for `docker save`.
#include "storage/image_export.hpp"

#include <memory>
#include <set>
#include <string_view>

#include <archive.h>
#include <archive_entry.h>
#include <nlohmann/json.hpp>

#include "base/byte_source.hpp"
#include "base/error.hpp"
#include "storage/digest.hpp"
#include "storage/reference.hpp"
#include "storage/tar_writer.hpp"

namespace berth::storage {

namespace {

using json = nlohmann::json;
using ordered = nlohmann::ordered_json;

constexpr const char* oci_manifest_type = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* oci_index_type = "application/vnd.oci.image.index.v1+json";
constexpr const char* oci_config_type = "application/vnd.oci.image.config.v1+json";

/// Every entry of the archive: owned by root, modified at the epoch, as dockerd writes them.
constexpr tar_metadata directory_metadata{0755, 0, 0, {0, 0}};
constexpr tar_metadata file_metadata{0644, 0, 0, {0, 0}};

std::string blob_path(std::string_view digest) {
  return "blobs/sha256/" + std::string(digest_hex(digest));
}

/// A stored layer blob decompressed as it is read (whatever compression libarchive detects).
class decompressed_blob final : public byte_source {
 public:
  explicit decompressed_blob(const layer_record& layer) : layer_(layer) {}

  caf::error open(int fd) {
    archive_read_support_format_raw(in_.get());
    archive_read_support_filter_all(in_.get());
    if (archive_read_open_fd(in_.get(), fd, 1 << 20) != ARCHIVE_OK)
      return make_error(errc::system, "open layer blob " + layer_.blob_digest);
    struct archive_entry* entry = nullptr;
    if (archive_read_next_header(in_.get(), &entry) != ARCHIVE_OK)
      return make_error(errc::system, "read layer blob " + layer_.blob_digest);
    return {};
  }

  caf::expected<size_t> read(char* buf, size_t n) override {
    auto got = archive_read_data(in_.get(), buf, n);
    if (got < 0)
      return make_error(errc::internal, "layer " + layer_.diff_id + " could not be decompressed");
    return static_cast<size_t>(got);
  }

 private:
  const layer_record& layer_;
  std::unique_ptr<struct archive, decltype(&archive_read_free)> in_{archive_read_new(),
                                                                    archive_read_free};
};

// Writes a layer blob as its uncompressed tar (plain blobs are copied as they are).
caf::error write_layer(tar_writer& tar, const content_store& blobs, const layer_record& layer) {
  auto path = blob_path(layer.diff_id);
  auto fd = blobs.open_blob(layer.blob_digest);
  if (!fd) return fd.error();
  if (layer.media_type == media_type_layer_tar || layer.blob_digest == layer.diff_id) {
    auto size = blobs.size(layer.blob_digest);
    if (!size) return size.error();
    fd_source contents{std::move(*fd), "layer blob " + layer.blob_digest};
    return tar.add_file(path, file_metadata, *size, contents);
  }
  decompressed_blob contents{layer};
  if (auto err = contents.open(fd->get())) return err;
  if (auto err = tar.add_file(path, file_metadata, layer.tar_size, contents)) return err;
  // Read to the end: the size must be the recorded one, and a compressed stream's checksum is
  // only verified there.
  char more = 0;
  auto extra = contents.read(&more, 1);
  if (!extra) return extra.error();
  if (*extra != 0)
    return make_error(errc::internal, "layer " + layer.diff_id + " is larger than recorded");
  return {};
}

ordered manifest_for(const export_image& e) {
  ordered layers = ordered::array();
  for (const auto* l : e.layers)
    layers.push_back(ordered{
        {"mediaType", media_type_layer_tar}, {"digest", l->diff_id}, {"size", l->tar_size}});
  return ordered{{"schemaVersion", 2},
                 {"mediaType", oci_manifest_type},
                 {"config", ordered{{"mediaType", oci_config_type},
                                    {"digest", e.image->id},
                                    {"size", e.image->config_json.size()}}},
                 {"layers", layers}};
}

} // namespace

caf::error write_image_archive(const std::vector<export_image>& images, const content_store& blobs,
                               byte_sink& out) {
  tar_writer tar{out};
  if (auto err = tar.open()) return err;
  if (auto err = tar.add_directory("blobs/", directory_metadata)) return err;
  if (auto err = tar.add_directory("blobs/sha256/", directory_metadata)) return err;
  std::set<std::string> written;
  ordered index_manifests = ordered::array();
  ordered docker_manifest = ordered::array();
  json repositories = json::object();
  for (const auto& e : images) {
    ordered layer_paths = ordered::array();
    for (const auto* l : e.layers) {
      layer_paths.push_back(blob_path(l->diff_id));
      if (written.insert(l->diff_id).second)
        if (auto err = write_layer(tar, blobs, *l)) return err;
    }
    if (written.insert(e.image->id).second)
      if (auto err = tar.add_file(blob_path(e.image->id), file_metadata, e.image->config_json))
        return err;
    auto manifest = manifest_for(e).dump();
    auto manifest_digest = sha256_digest(manifest);
    if (written.insert(manifest_digest).second)
      if (auto err = tar.add_file(blob_path(manifest_digest), file_metadata, manifest)) return err;
    ordered repo_tags = ordered::array();
    auto descriptor = ordered{
        {"mediaType", oci_manifest_type}, {"digest", manifest_digest}, {"size", manifest.size()}};
    if (e.tags.empty()) index_manifests.push_back(descriptor);
    for (const auto& tag : e.tags) {
      auto ref = parse_normalized(tag);
      if (!ref) continue;
      repo_tags.push_back(ref->familiar_string());
      auto d = descriptor;
      d["annotations"] = ordered{{"io.containerd.image.name", ref->string()},
                                 {"org.opencontainers.image.ref.name", ref->tag}};
      index_manifests.push_back(d);
      if (!e.layers.empty())
        repositories[ref->familiar_name()][ref->tag] =
            std::string(digest_hex(e.layers.back()->diff_id));
    }
    docker_manifest.push_back(ordered{
        {"Config", blob_path(e.image->id)}, {"RepoTags", repo_tags}, {"Layers", layer_paths}});
  }
  auto index =
      ordered{{"schemaVersion", 2}, {"mediaType", oci_index_type}, {"manifests", index_manifests}};
  if (auto err = tar.add_file("index.json", file_metadata, index.dump())) return err;
  if (auto err = tar.add_file("manifest.json", file_metadata, docker_manifest.dump() + "\n"))
    return err;
  if (auto err = tar.add_file("oci-layout", file_metadata, "{\"imageLayoutVersion\": \"1.0.0\"}"))
    return err;
  if (!repositories.empty())
    if (auto err = tar.add_file("repositories", file_metadata, repositories.dump() + "\n"))
      return err;
  return tar.close();
}

} // namespace berth::storage
