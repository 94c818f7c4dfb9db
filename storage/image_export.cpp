// Writing image archives for `docker save`.
#include "storage/image_export.hpp"

#include <memory>
#include <set>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "storage/archive_error.hpp"
#include "storage/archive_sink.hpp"
#include "storage/digest.hpp"
#include "storage/reference.hpp"

namespace berth::storage {

namespace {

using json = nlohmann::json;
using ordered = nlohmann::ordered_json;

constexpr const char* oci_manifest_type = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* oci_index_type = "application/vnd.oci.image.index.v1+json";
constexpr const char* oci_config_type = "application/vnd.oci.image.config.v1+json";

class tar_writer {
 public:
  explicit tar_writer(byte_sink& sink)
      : state_{&sink, {}}, a_(archive_write_new(), archive_write_free) {
    archive_write_set_format_pax_restricted(a_.get());
    archive_write_set_bytes_per_block(a_.get(), 0); // no padding to 10 KiB records
    archive_write_open(a_.get(), &state_, nullptr, write_to_sink, nullptr);
  }

  caf::error add_dir(const std::string& path) { return header(path, AE_IFDIR, 0755, 0); }

  caf::error add_file(const std::string& path, std::string_view content) {
    if (auto err = header(path, AE_IFREG, 0644, content.size())) return err;
    return data(content.data(), content.size());
  }

  caf::error header(const std::string& path, unsigned type, int mode, uint64_t size) {
    std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(),
                                                                           archive_entry_free);
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_filetype(e.get(), type);
    archive_entry_set_perm(e.get(), static_cast<mode_t>(mode));
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
    archive_entry_set_mtime(e.get(), 0, 0);
    if (archive_write_header(a_.get(), e.get()) != ARCHIVE_OK)
      return failure("write header " + path);
    return {};
  }

  caf::error data(const void* buf, size_t n) {
    if (n > 0 && archive_write_data(a_.get(), buf, n) < 0) return failure("write data");
    return {};
  }

  caf::error close() {
    if (archive_write_close(a_.get()) != ARCHIVE_OK) return failure("finish archive");
    return {};
  }

 private:
  caf::error failure(const std::string& what) {
    if (state_.failure) return state_.failure;
    return make_error(errc::system, what + ": " + archive_message(a_.get(), "error"));
  }

  archive_sink_state state_;
  std::unique_ptr<struct archive, decltype(&archive_write_free)> a_;
};

// Streams a layer blob as its uncompressed tar (plain blobs are copied as they are).
caf::error write_layer(tar_writer& tar, const content_store& blobs, const layer_record& layer) {
  auto path = "blobs/sha256/" + std::string(digest_hex(layer.diff_id));
  auto fd = blobs.open_blob(layer.blob_digest);
  if (!fd) return fd.error();
  if (layer.media_type == media_type_layer_tar || layer.blob_digest == layer.diff_id) {
    auto size = blobs.size(layer.blob_digest);
    if (!size) return size.error();
    if (auto err = tar.header(path, AE_IFREG, 0644, *size)) return err;
    std::string buf(1 << 20, '\0');
    for (;;) {
      auto n = ::read(fd->get(), buf.data(), buf.size());
      if (n < 0) return make_error(errc::system, "read layer blob " + layer.blob_digest);
      if (n == 0) return {};
      if (auto err = tar.data(buf.data(), static_cast<size_t>(n))) return err;
    }
  }
  std::unique_ptr<struct archive, decltype(&archive_read_free)> in(archive_read_new(),
                                                                   archive_read_free);
  archive_read_support_format_raw(in.get());
  archive_read_support_filter_all(in.get());
  if (archive_read_open_fd(in.get(), fd->get(), 1 << 20) != ARCHIVE_OK)
    return make_error(errc::system, "open layer blob " + layer.blob_digest);
  struct archive_entry* entry = nullptr;
  if (archive_read_next_header(in.get(), &entry) != ARCHIVE_OK)
    return make_error(errc::system, "read layer blob " + layer.blob_digest);
  if (auto err = tar.header(path, AE_IFREG, 0644, layer.tar_size)) return err;
  const void* buf;
  size_t n;
  la_int64_t offset;
  uint64_t written = 0;
  int rc;
  while ((rc = archive_read_data_block(in.get(), &buf, &n, &offset)) == ARCHIVE_OK) {
    written += n;
    if (written > layer.tar_size)
      return make_error(errc::internal, "layer " + layer.diff_id + " is larger than recorded");
    if (auto err = tar.data(buf, n)) return err;
  }
  if (rc != ARCHIVE_EOF || written != layer.tar_size)
    return make_error(errc::internal, "layer " + layer.diff_id + " could not be decompressed");
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
  if (auto err = tar.add_dir("blobs/")) return err;
  if (auto err = tar.add_dir("blobs/sha256/")) return err;
  std::set<std::string> written;
  ordered index_manifests = ordered::array();
  ordered docker_manifest = ordered::array();
  json repositories = json::object();
  for (const auto& e : images) {
    ordered layer_paths = ordered::array();
    for (const auto* l : e.layers) {
      auto path = "blobs/sha256/" + std::string(digest_hex(l->diff_id));
      layer_paths.push_back(path);
      if (written.insert(l->diff_id).second)
        if (auto err = write_layer(tar, blobs, *l)) return err;
    }
    if (written.insert(e.image->id).second)
      if (auto err = tar.add_file("blobs/sha256/" + std::string(digest_hex(e.image->id)),
                                  e.image->config_json))
        return err;
    auto manifest = manifest_for(e).dump();
    auto manifest_digest = sha256_digest(manifest);
    if (written.insert(manifest_digest).second)
      if (auto err =
              tar.add_file("blobs/sha256/" + std::string(digest_hex(manifest_digest)), manifest))
        return err;
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
    docker_manifest.push_back(
        ordered{{"Config", "blobs/sha256/" + std::string(digest_hex(e.image->id))},
                {"RepoTags", repo_tags},
                {"Layers", layer_paths}});
  }
  auto index =
      ordered{{"schemaVersion", 2}, {"mediaType", oci_index_type}, {"manifests", index_manifests}};
  if (auto err = tar.add_file("index.json", index.dump())) return err;
  if (auto err = tar.add_file("manifest.json", docker_manifest.dump() + "\n")) return err;
  if (auto err = tar.add_file("oci-layout", "{\"imageLayoutVersion\": \"1.0.0\"}")) return err;
  if (!repositories.empty())
    if (auto err = tar.add_file("repositories", repositories.dump() + "\n")) return err;
  return tar.close();
}

} // namespace berth::storage
