// Images from containers: a layer from an upper directory, a child image from its parent.
#include "storage/image_commit.hpp"

#include <map>

#include "base/byte_source.hpp"
#include "base/error.hpp"
#include "base/time.hpp"
#include "storage/chain_id.hpp"
#include "storage/image_layers.hpp"
#include "storage/upper_dir_tar.hpp"

namespace berth::storage {

namespace {

using ordered = nlohmann::ordered_json;

// The tar stream into a blob being written.
class blob_sink final : public byte_sink {
 public:
  explicit blob_sink(content_store::writer& w) : writer_(w) {}
  caf::error write(const char* data, size_t n) override { return writer_.write(data, n); }

 private:
  content_store::writer& writer_;
};

// Keeps the key order of JSON that was stored (the parent's history entries).
ordered reordered(const nlohmann::json& j) {
  return ordered::parse(j.dump());
}

ordered history_entry(const child_image_options& child, const std::string& created) {
  // The OCI history struct's order: created, created_by, author, comment, empty_layer.
  ordered h{{"created", created}};
  if (!child.created_by.empty()) h["created_by"] = child.created_by;
  if (!child.author.empty()) h["author"] = child.author;
  if (!child.comment.empty()) h["comment"] = child.comment;
  if (child.diff_id.empty()) h["empty_layer"] = true;
  return h;
}

} // namespace

caf::expected<committed_layer>
commit_upper_dir(const std::string& upper, const std::vector<std::string>& lowers,
                 const std::string& parent_chain, const std::set<std::string>& present_chains,
                 const content_store& content, const layer_store& layers,
                 const unpack_limits& limits) {
  auto writer = content.ingest();
  if (!writer) return writer.error();
  blob_sink sink{*writer};
  auto written = write_upper_dir_tar(upper, lowers, sink);
  if (!written) return written.error();
  if (written->entries == 0) return committed_layer{}; // the writer drops its temp file
  auto blob = writer->commit();
  if (!blob) return blob.error();
  committed_layer out;
  out.diff_id = blob->digest;
  out.chain_id = next_chain_id(parent_chain, out.diff_id);
  if (present_chains.count(out.chain_id)) return out;
  auto rec = unpack_blob_layer(content, layers, {blob->digest, media_type_layer_tar}, out.chain_id,
                               out.diff_id, parent_chain, limits);
  if (!rec) return rec.error();
  out.created = std::move(*rec);
  return out;
}

caf::expected<image_record> make_child_image(const image_record* parent,
                                             const child_image_options& child) {
  ordered base = parent ? ordered::parse(parent->config_json, nullptr, false) : ordered::object();
  if (base.is_discarded() || !base.is_object())
    return make_error(errc::internal, "the parent image's config is not a JSON object");
  auto created = format_rfc3339(child.now_nanos);
  auto history = base.value("history", ordered::array());
  if (!history.is_array()) history = ordered::array();
  history.push_back(history_entry(child, created));
  auto diff_ids = parent ? parent->diff_ids : std::vector<std::string>{};
  if (!child.diff_id.empty()) diff_ids.push_back(child.diff_id);
  // dockerd marshals the image through a map: top-level keys sorted, as std::map keeps them.
  std::map<std::string, ordered> fields;
  auto arch = base.find("architecture");
  fields["architecture"] = arch != base.end() && arch->is_string() ? *arch : ordered("amd64");
  if (!child.author.empty()) fields["author"] = child.author;
  if (!child.comment.empty()) fields["comment"] = child.comment;
  fields["config"] = reordered(child.config);
  if (!child.container_id.empty()) fields["container"] = child.container_id;
  if (!child.container_config.is_null())
    fields["container_config"] = reordered(child.container_config);
  fields["created"] = created;
  fields["history"] = std::move(history);
  fields["os"] = child.os;
  ordered rootfs{{"type", "layers"}};
  if (!diff_ids.empty()) rootfs["diff_ids"] = diff_ids;
  fields["rootfs"] = std::move(rootfs);
  for (const char* inherited : {"variant", "os.version", "os.features"})
    if (base.contains(inherited)) fields[inherited] = base[inherited];
  ordered config = ordered::object();
  for (auto& [key, value] : fields)
    config[key] = std::move(value);
  auto image = image_record::from_config(config.dump());
  if (!image) return image.error();
  if (parent) image->parent = parent->id;
  return image;
}

} // namespace berth::storage
