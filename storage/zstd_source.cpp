// A zstd stream decompressed as it is read (see zstd_source.hpp).
#include "storage/zstd_source.hpp"

#include <zstd.h>

#include "base/error.hpp"

namespace berth::storage {

namespace {

constexpr uint32_t zstd_magic = 0xFD2FB528;
constexpr uint32_t skippable_magic = 0x184D2A50; ///< 0x184D2A50 to 0x184D2A5F
constexpr uint32_t skippable_mask = 0xFFFFFFF0;
constexpr size_t input_size = 1 << 17;

uint32_t little_endian32(const unsigned char* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

} // namespace

bool starts_zstd_stream(const unsigned char* head, size_t size) {
  if (size < 4) return false;
  auto magic = little_endian32(head);
  // dockerd wants a whole skippable-frame header (magic and length) before calling it zstd.
  return magic == zstd_magic || (size >= 8 && (magic & skippable_mask) == skippable_magic);
}

zstd_source::zstd_source(byte_source& compressed)
    : compressed_(compressed), context_(ZSTD_createDCtx()), input_(input_size) {
  if (context_ != nullptr)
    (void)ZSTD_DCtx_setParameter(context_, ZSTD_d_windowLogMax, max_window_log);
}

zstd_source::~zstd_source() {
  ZSTD_freeDCtx(context_);
}

caf::expected<size_t> zstd_source::read(char* buf, size_t n) {
  if (context_ == nullptr) return make_error(errc::internal, "cannot allocate a zstd decoder");
  ZSTD_outBuffer out{buf, n, 0};
  while (out.pos == 0 && n > 0) {
    // Output the decoder still holds is taken before more input is given.
    if (input_pos_ == input_size_ && !output_pending_) {
      if (input_ended_) break;
      auto got = compressed_.read(input_.data(), input_.size());
      if (!got) return got.error();
      input_pos_ = 0;
      input_size_ = *got;
      if (*got == 0) {
        input_ended_ = true;
        break;
      }
    }
    ZSTD_inBuffer in{input_.data(), input_size_, input_pos_};
    auto rc = ZSTD_decompressStream(context_, &out, &in);
    input_pos_ = in.pos;
    if (ZSTD_isError(rc))
      return make_error(errc::invalid_argument,
                        std::string{"zstd decompression failed: "} + ZSTD_getErrorName(rc));
    frame_open_ = rc != 0;
    output_pending_ = out.pos == out.size;
  }
  if (out.pos == 0 && frame_open_)
    return make_error(errc::invalid_argument, "zstd decompression failed: truncated stream");
  return out.pos;
}

} // namespace berth::storage
