// Turning an image's layer blobs into unpacked layers.
#include "storage/image_layers.hpp"

#include "base/error.hpp"
#include "storage/chain_id.hpp"
#include "storage/image_record.hpp"

namespace berth::storage {

namespace {

/// Unpacks `blob` into the empty directory `dir`, telling `on_read` how far the blob was read.
caf::expected<unpack_result> unpack_blob(const content_store& content, const layer_blob& blob,
                                         const std::string& dir, const unpack_limits& limits,
                                         const blob_progress& on_read) {
  auto fd = content.open_blob(blob.digest);
  if (!fd) return fd.error();
  fd_source file{std::move(*fd), blob.digest};
  uint64_t total = 0;
  if (on_read)
    if (auto size = content.size(blob.digest)) total = *size;
  uint64_t read = 0;
  observed_source counted{file, [&](size_t bytes) {
                            read += bytes;
                            if (on_read) on_read(read, total);
                          }};
  return unpack_layer(counted, dir, limits, blob.media_type != media_type_layer_tar);
}

} // namespace

caf::expected<layer_record> unpack_blob_layer(const content_store& content,
                                              const layer_store& layers, const layer_blob& blob,
                                              const std::string& chain_id,
                                              const std::string& diff_id, const std::string& parent,
                                              const unpack_limits& limits,
                                              const blob_progress& on_read) {
  unpack_result unpacked;
  auto rec = layers.create(chain_id, diff_id, parent, [&](const std::string& dir) {
    auto result = unpack_blob(content, blob, dir, limits, on_read);
    if (!result) return caf::expected<uint64_t>{result.error()};
    unpacked = std::move(*result);
    return caf::expected<uint64_t>{unpacked.content_bytes};
  });
  if (!rec) return rec.error();
  if (blob.media_type != media_type_layer_tar) rec->diff_id = unpacked.diff_id;
  rec->blob_digest = blob.digest;
  rec->media_type = blob.media_type;
  rec->tar_size = unpacked.tar_bytes;
  return rec;
}

caf::expected<std::vector<layer_record>>
unpack_image_layers(const std::vector<std::string>& diff_ids, const std::vector<layer_blob>& blobs,
                    const std::set<std::string>& present, const content_store& content,
                    const layer_store& layers, const unpack_limits& limits,
                    const unpack_progress& on_progress) {
  if (diff_ids.size() != blobs.size())
    return make_error(errc::invalid_argument, "image has " + std::to_string(blobs.size()) +
                                                  " layers but its config lists " +
                                                  std::to_string(diff_ids.size()) + " diff IDs");
  auto chains = chain_ids(diff_ids);
  std::vector<layer_record> created;
  auto cleanup = [&] {
    for (const auto& l : created)
      (void)layers.remove(l);
  };
  for (size_t i = 0; i < chains.size(); ++i) {
    if (present.count(chains[i])) continue;
    bool plain = blobs[i].media_type == media_type_layer_tar;
    if (plain && blobs[i].digest != diff_ids[i]) {
      cleanup();
      return make_error(errc::invalid_argument,
                        "layer " + std::to_string(i + 1) + " digest " + blobs[i].digest +
                            " does not match the config's diff ID " + diff_ids[i]);
    }
    blob_progress on_read;
    if (on_progress) on_read = [&](uint64_t read, uint64_t total) { on_progress(i, read, total); };
    auto rec = unpack_blob_layer(content, layers, blobs[i], chains[i], diff_ids[i],
                                 i == 0 ? std::string{} : chains[i - 1], limits, on_read);
    if (!rec) {
      cleanup();
      return rec.error();
    }
    if (rec->diff_id != diff_ids[i]) {
      auto err = make_error(errc::invalid_argument, "layer " + std::to_string(i + 1) +
                                                        " unpacks to " + rec->diff_id +
                                                        " but the config says " + diff_ids[i]);
      (void)layers.remove(*rec);
      cleanup();
      return err;
    }
    created.push_back(std::move(*rec));
  }
  return created;
}

} // namespace berth::storage
