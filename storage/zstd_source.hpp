// A zstd stream decompressed as it is read, accepting the frames dockerd accepts.
//
// libarchive's zstd reader keeps libzstd's default limit on a frame's window (128 MiB), so a
// stream made with `zstd --long=28` or more cannot be read through it; the Go decoder dockerd
// uses takes windows up to 512 MiB. Decoding with libzstd directly lets ADD read what dockerd
// reads. Blocking (reads the underlying source); one reader at a time.
#pragma once

#include <cstddef>
#include <vector>

#include <caf/expected.hpp>

#include "base/byte_source.hpp"

struct ZSTD_DCtx_s;

namespace berth::storage {

/// Whether `head` (the first bytes of a stream) starts a zstd stream as dockerd detects one: a
/// zstd frame's magic number or a skippable frame's.
[[nodiscard]] bool starts_zstd_stream(const unsigned char* head, size_t size);

/// The decompressed bytes of the zstd frames in `compressed` (skippable frames skipped).
class zstd_source final : public byte_source {
 public:
  /// The largest window accepted, as dockerd's decoder (klauspost/compress: 512 MiB).
  static constexpr int max_window_log = 29;

  explicit zstd_source(byte_source& compressed);
  ~zstd_source() override;
  zstd_source(const zstd_source&) = delete;
  zstd_source& operator=(const zstd_source&) = delete;

  /// Decompressed bytes; 0 at the end of the last frame; an error for a corrupt or truncated
  /// stream or one needing a larger window.
  [[nodiscard]] caf::expected<size_t> read(char* buf, size_t n) override;

 private:
  byte_source& compressed_;
  ZSTD_DCtx_s* context_ = nullptr;
  std::vector<char> input_;
  size_t input_pos_ = 0;
  size_t input_size_ = 0;
  bool input_ended_ = false;
  bool frame_open_ = false;     ///< inside a frame: the end of the input now means truncation
  bool output_pending_ = false; ///< the last call filled the output: the decoder may hold more
};

} // namespace berth::storage
