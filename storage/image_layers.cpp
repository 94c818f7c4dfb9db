// Turning an image's layer blobs into unpacked layers.
#include "storage/image_layers.hpp"

#include "base/error.hpp"
#include "storage/chain_id.hpp"
#include "storage/image_record.hpp"

namespace berth::storage {

caf::expected<std::vector<layer_record>>
unpack_image_layers(const std::vector<std::string>& diff_ids, const std::vector<layer_blob>& blobs,
                    const std::set<std::string>& present, const content_store& content,
                    const layer_store& layers, const unpack_limits& limits) {
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
    uint64_t tar_size = 0;
    auto rec = layers.create(chains[i], diff_ids[i], i == 0 ? std::string{} : chains[i - 1],
                             [&](const std::string& dir) -> caf::expected<uint64_t> {
                               auto fd = content.open_blob(blobs[i].digest);
                               if (!fd) return fd.error();
                               fd_source source{std::move(*fd), blobs[i].digest};
                               auto result = unpack_layer(source, dir, limits, !plain);
                               if (!result) return result.error();
                               if (!plain && result->diff_id != diff_ids[i])
                                 return make_error(errc::invalid_argument,
                                                   "layer " + std::to_string(i + 1) +
                                                       " unpacks to " + result->diff_id +
                                                       " but the config says " + diff_ids[i]);
                               tar_size = result->tar_bytes;
                               return result->content_bytes;
                             });
    if (!rec) {
      cleanup();
      return rec.error();
    }
    rec->blob_digest = blobs[i].digest;
    rec->media_type = blobs[i].media_type;
    rec->tar_size = tar_size;
    created.push_back(std::move(*rec));
  }
  return created;
}

} // namespace berth::storage
