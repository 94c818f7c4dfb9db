// Reading image archives for `docker load`.
#include "storage/image_archive.hpp"

#include <map>
#include <memory>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "storage/archive_error.hpp"
#include "storage/digest.hpp"
#include "storage/image_record.hpp"
#include "storage/reference.hpp"

namespace berth::storage {

namespace {

using json = nlohmann::json;

caf::error invalid(const std::string& why) {
  return make_error(errc::invalid_argument, "invalid image archive: " + why);
}

// libarchive pulls the outer archive from the byte_source through this callback.
struct source_reader {
  byte_source* source;
  std::string buffer = std::string(1 << 20, '\0');
  caf::error failure;
  uint64_t total = 0;
};

la_ssize_t read_callback(struct archive* a, void* data, const void** buf) {
  auto* r = static_cast<source_reader*>(data);
  auto n = r->source->read(r->buffer.data(), r->buffer.size());
  if (!n) {
    r->failure = n.error();
    archive_set_error(a, EIO, "%s", error_message(n.error()).c_str());
    return -1;
  }
  r->total += *n;
  *buf = r->buffer.data();
  return static_cast<la_ssize_t>(*n);
}

// "./a//b/" → "a/b"
std::string clean_path(std::string p) {
  std::string out;
  size_t i = 0;
  while (i < p.size()) {
    auto slash = p.find('/', i);
    if (slash == std::string::npos) slash = p.size();
    auto part = p.substr(i, slash - i);
    if (!part.empty() && part != ".") {
      if (part == "..") {
        auto last = out.rfind('/');
        out = last == std::string::npos ? "" : out.substr(0, last);
      } else {
        out += (out.empty() ? "" : "/") + part;
      }
    }
    i = slash + 1;
  }
  return out;
}

std::string dir_of(const std::string& p) {
  auto slash = p.rfind('/');
  return slash == std::string::npos ? "" : p.substr(0, slash);
}

struct archive_files {
  std::map<std::string, std::string> blobs;    ///< path → digest
  std::map<std::string, std::string> aliases;  ///< symlink/hardlink path → target path
  std::map<std::string, std::string> metadata; ///< small top-level files by name
};

bool is_metadata_name(const std::string& path) {
  return path == "manifest.json" || path == "index.json" || path == "oci-layout" ||
         path == "repositories";
}

caf::expected<archive_files> stream_entries(byte_source& source, const content_store& store,
                                            const archive_limits& limits) {
  std::unique_ptr<struct archive, decltype(&archive_read_free)> a(archive_read_new(),
                                                                  archive_read_free);
  archive_read_support_format_tar(a.get());
  archive_read_support_filter_all(a.get());
  source_reader reader{&source};
  if (archive_read_open(a.get(), &reader, nullptr, read_callback, nullptr) != ARCHIVE_OK)
    return reader.failure ? reader.failure : invalid(archive_message(a.get(), "unreadable"));
  archive_files files;
  uint64_t entries = 0;
  std::string chunk;
  for (;;) {
    struct archive_entry* entry = nullptr;
    int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) {
      if (reader.failure) return reader.failure;
      return invalid(archive_message(a.get(), "corrupt tar"));
    }
    if (++entries > limits.max_entries)
      return invalid("more than " + std::to_string(limits.max_entries) + " entries");
    const char* raw_name = archive_entry_pathname(entry);
    auto path = clean_path(raw_name ? raw_name : "");
    auto type = archive_entry_filetype(entry);
    if (const char* hard = archive_entry_hardlink(entry)) {
      files.aliases[path] = clean_path(hard);
      continue;
    }
    if (type == AE_IFLNK) {
      const char* target = archive_entry_symlink(entry);
      files.aliases[path] = clean_path(dir_of(path) + "/" + (target ? target : ""));
      continue;
    }
    if (type != AE_IFREG) continue;
    if (is_metadata_name(path)) {
      std::string text;
      const void* buf;
      size_t size;
      la_int64_t offset;
      while ((rc = archive_read_data_block(a.get(), &buf, &size, &offset)) == ARCHIVE_OK) {
        if (text.size() + size > limits.max_metadata_bytes) return invalid(path + " is too large");
        text.append(static_cast<const char*>(buf), size);
      }
      if (rc != ARCHIVE_EOF)
        return reader.failure ? reader.failure : invalid("truncated entry " + path);
      files.metadata[path] = std::move(text);
      continue;
    }
    auto writer = store.ingest();
    if (!writer) return writer.error();
    const void* buf;
    size_t size;
    la_int64_t offset;
    while ((rc = archive_read_data_block(a.get(), &buf, &size, &offset)) == ARCHIVE_OK) {
      if (reader.total > limits.max_bytes)
        return invalid("archive exceeds " + std::to_string(limits.max_bytes) + " bytes");
      if (auto err = writer->write(static_cast<const char*>(buf), size)) return err;
    }
    if (rc != ARCHIVE_EOF)
      return reader.failure ? reader.failure : invalid("truncated entry " + path);
    // blobs/sha256/<hex> names promise their digest: hold them to it.
    std::string expected;
    if (path.rfind("blobs/sha256/", 0) == 0) expected = "sha256:" + path.substr(13);
    auto info = writer->commit(expected);
    if (!info)
      return error_kind(info.error()) == errc::invalid_argument
                 ? invalid(path + ": " + error_message(info.error()))
                 : info.error();
    files.blobs[path] = info->digest;
  }
  return files;
}

// Follows symlinks/hardlinks between archive paths (legacy archives link shared layers).
caf::expected<std::string> blob_for(const archive_files& files, std::string path) {
  path = clean_path(path);
  for (int hops = 0; hops < 16; ++hops) {
    auto b = files.blobs.find(path);
    if (b != files.blobs.end()) return b->second;
    auto alias = files.aliases.find(path);
    if (alias == files.aliases.end()) break;
    path = alias->second;
  }
  return invalid("missing file " + path);
}

caf::expected<std::string> normalize_tag(const std::string& tag) {
  auto ref = parse_normalized(tag);
  if (!ref) return invalid("bad tag \"" + tag + "\": " + error_message(ref.error()));
  return with_default_tag(*ref).string();
}

caf::expected<std::vector<archive_image>> from_docker_manifest(const archive_files& files,
                                                               const content_store& store,
                                                               const archive_limits& limits) {
  auto doc = json::parse(files.metadata.at("manifest.json"), nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) return invalid("manifest.json is not a JSON list");
  std::vector<archive_image> out;
  for (const auto& m : doc) {
    if (!m.is_object() || !m.contains("Config") || !m["Config"].is_string() ||
        !m.contains("Layers") || !m["Layers"].is_array())
      return invalid("manifest.json entry without Config or Layers");
    archive_image img;
    auto cfg = blob_for(files, m["Config"].get<std::string>());
    if (!cfg) return cfg.error();
    img.config_digest = *cfg;
    auto text = store.read(*cfg, limits.max_metadata_bytes);
    if (!text) return text.error();
    img.config_json = std::move(*text);
    for (const auto& l : m["Layers"]) {
      if (!l.is_string()) return invalid("manifest.json layer path is not a string");
      auto blob = blob_for(files, l.get<std::string>());
      if (!blob) return blob.error();
      auto size = store.size(*blob);
      img.layers.push_back({*blob, sniff_layer_media_type(store, *blob), size ? *size : 0});
    }
    if (m.contains("RepoTags") && m["RepoTags"].is_array())
      for (const auto& t : m["RepoTags"]) {
        if (!t.is_string()) continue;
        auto tag = normalize_tag(t.get<std::string>());
        if (!tag) return tag.error();
        img.tags.push_back(*tag);
      }
    out.push_back(std::move(img));
  }
  return out;
}

bool platform_matches(const json& desc) {
  if (!desc.contains("platform") || !desc["platform"].is_object()) return true;
  const auto& p = desc["platform"];
  return p.value("os", "linux") == "linux" && p.value("architecture", "amd64") == "amd64";
}

caf::expected<json> read_json_blob(const content_store& store, const std::string& digest,
                                   const archive_files& files, const archive_limits& limits) {
  if (!is_sha256_digest(digest)) return invalid("bad digest " + digest);
  auto blob = blob_for(files, "blobs/sha256/" + std::string(digest_hex(digest)));
  if (!blob) return blob.error();
  auto text = store.read(*blob, limits.max_metadata_bytes);
  if (!text) return text.error();
  auto doc = json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return invalid("blob " + digest + " is not a JSON object");
  return doc;
}

// Collects the image manifests an OCI index points at (following nested indexes).
caf::error collect_manifests(const json& index, const content_store& store,
                             const archive_files& files, const archive_limits& limits,
                             std::vector<std::pair<json, json>>& out, int depth,
                             const json& inherited_annotations) {
  if (depth > 4) return invalid("index nesting too deep");
  if (!index.contains("manifests") || !index["manifests"].is_array())
    return invalid("index without manifests");
  for (const auto& desc : index["manifests"]) {
    if (!desc.is_object() || !desc.contains("digest") || !desc["digest"].is_string())
      return invalid("manifest descriptor without digest");
    if (!platform_matches(desc)) continue;
    auto media = desc.value("mediaType", "");
    auto annotations = desc.value("annotations", inherited_annotations);
    auto doc = read_json_blob(store, desc["digest"].get<std::string>(), files, limits);
    if (!doc) return doc.error();
    bool nested = media.find("index") != std::string::npos ||
                  media.find("manifest.list") != std::string::npos ||
                  (doc->contains("manifests") && !doc->contains("layers"));
    if (nested) {
      if (auto err = collect_manifests(*doc, store, files, limits, out, depth + 1, annotations))
        return err;
      continue;
    }
    json manifest = *doc;
    manifest["__digest"] = desc["digest"];
    out.emplace_back(std::move(manifest), annotations);
  }
  return {};
}

caf::expected<std::vector<archive_image>> from_oci_index(const archive_files& files,
                                                         const content_store& store,
                                                         const archive_limits& limits) {
  auto index = json::parse(files.metadata.at("index.json"), nullptr, false);
  if (index.is_discarded() || !index.is_object()) return invalid("index.json is not a JSON object");
  std::vector<std::pair<json, json>> manifests;
  if (auto err = collect_manifests(index, store, files, limits, manifests, 0, json::object()))
    return err;
  std::vector<archive_image> out;
  for (const auto& [m, annotations] : manifests) {
    if (!m.contains("config") || !m["config"].contains("digest") || !m.contains("layers") ||
        !m["layers"].is_array())
      return invalid("manifest without config or layers");
    archive_image img;
    img.manifest_digest = m["__digest"].get<std::string>();
    auto cfg = blob_for(
        files, "blobs/sha256/" + std::string(digest_hex(m["config"]["digest"].get<std::string>())));
    if (!cfg) return cfg.error();
    img.config_digest = *cfg;
    auto text = store.read(*cfg, limits.max_metadata_bytes);
    if (!text) return text.error();
    img.config_json = std::move(*text);
    for (const auto& l : m["layers"]) {
      if (!l.contains("digest") || !l["digest"].is_string())
        return invalid("layer descriptor without digest");
      auto blob = blob_for(files, "blobs/sha256/" +
                                      std::string(digest_hex(l["digest"].get<std::string>())));
      if (!blob) return blob.error();
      auto size = store.size(*blob);
      img.layers.push_back({*blob, sniff_layer_media_type(store, *blob), size ? *size : 0});
    }
    if (annotations.is_object()) {
      std::string name = annotations.value("io.containerd.image.name", "");
      if (name.empty()) {
        // A bare ref.name is a tag without a repository: dockerd loads such images untagged.
        auto ref_name = annotations.value("org.opencontainers.image.ref.name", "");
        if (ref_name.find('/') != std::string::npos || ref_name.find(':') != std::string::npos)
          name = ref_name;
      }
      if (!name.empty()) {
        auto tag = normalize_tag(name);
        if (!tag) return tag.error();
        img.tags.push_back(*tag);
      }
    }
    // Several descriptors (one per tag) may name the same image: merge them.
    bool merged = false;
    for (auto& existing : out)
      if (existing.config_digest == img.config_digest) {
        existing.tags.insert(existing.tags.end(), img.tags.begin(), img.tags.end());
        merged = true;
      }
    if (!merged) out.push_back(std::move(img));
  }
  return out;
}

} // namespace

std::string sniff_layer_media_type(const content_store& store, const std::string& digest) {
  auto fd = store.open_blob(digest);
  unsigned char magic[6] = {};
  if (fd) (void)::read(fd->get(), magic, sizeof magic);
  if (magic[0] == 0x1f && magic[1] == 0x8b) return media_type_layer_gzip;
  if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
    return media_type_layer_zstd;
  if (magic[0] == 0xfd && magic[1] == '7' && magic[2] == 'z' && magic[3] == 'X' &&
      magic[4] == 'Z' && magic[5] == 0)
    return media_type_layer_xz;
  if (magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') return media_type_layer_bzip2;
  return media_type_layer_tar;
}

caf::expected<std::vector<archive_image>>
read_image_archive(byte_source& source, const content_store& blobs, const archive_limits& limits) {
  auto files = stream_entries(source, blobs, limits);
  if (!files) return files.error();
  caf::expected<std::vector<archive_image>> images = std::vector<archive_image>{};
  if (files->metadata.count("manifest.json"))
    images = from_docker_manifest(*files, blobs, limits);
  else if (files->metadata.count("index.json"))
    images = from_oci_index(*files, blobs, limits);
  else
    return invalid("no manifest.json or index.json found");
  if (!images) return images.error();
  if (images->empty()) return invalid("no image for linux/amd64 in the archive");
  for (const auto& img : *images)
    if (sha256_digest(img.config_json) != img.config_digest)
      return invalid("config digest mismatch for " + img.config_digest);
  return images;
}

} // namespace berth::storage
