// Turning an image's layer blobs into unpacked layers.
#include "storage/image_layers.hpp"

#include "base/error.hpp"
#include "storage/chain_id.hpp"
#include "storage/image_record.hpp"

namespace berth::storage {

namespace {

// Counts what the unpacker reads and reports it.
class counting_source final : public byte_source {
 public:
  counting_source(byte_source& inner, uint64_t total,
                  std::function<void(uint64_t, uint64_t)> report)
      : inner_(inner), total_(total), report_(std::move(report)) {}
  caf::expected<size_t> read(char* buf, size_t n) override {
    auto got = inner_.read(buf, n);
    if (got && *got > 0) {
      read_ += *got;
      report_(read_, total_);
    }
    return got;
  }

 private:
  byte_source& inner_;
  uint64_t total_;
  uint64_t read_ = 0;
  std::function<void(uint64_t, uint64_t)> report_;
};

} // namespace

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
    uint64_t tar_size = 0;
    auto rec = layers.create(
        chains[i], diff_ids[i], i == 0 ? std::string{} : chains[i - 1],
        [&](const std::string& dir) -> caf::expected<uint64_t> {
          auto fd = content.open_blob(blobs[i].digest);
          if (!fd) return fd.error();
          fd_source file{std::move(*fd), blobs[i].digest};
          caf::expected<unpack_result> result = unpack_result{};
          if (on_progress) {
            auto total = content.size(blobs[i].digest);
            counting_source counted{file, total ? *total : 0, [&](uint64_t read, uint64_t all) {
                                      on_progress(i, read, all);
                                    }};
            result = unpack_layer(counted, dir, limits, !plain);
          } else {
            result = unpack_layer(file, dir, limits, !plain);
          }
          if (!result) return result.error();
          if (!plain && result->diff_id != diff_ids[i])
            return make_error(errc::invalid_argument, "layer " + std::to_string(i + 1) +
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
