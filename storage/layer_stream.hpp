// Reads a layer tar through libarchive: decompression, the diff ID, size limits, then tar entries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "base/byte_source.hpp"
#include "storage/layer_unpack.hpp"

struct archive;
struct archive_entry;
struct evp_md_ctx_st;

namespace berth::storage {

/// One piece of an entry's contents, pointing into the stream's buffers (valid until the next
/// call).
struct data_block {
  const char* data = nullptr;
  size_t size = 0;    ///< 0 at the end of the entry
  int64_t offset = 0; ///< where the piece goes in the file (sparse files skip ahead)
};

/// What a stream is called in its messages ("layer is larger than ...", "reading layer tar: ...").
struct stream_words {
  std::string_view subject; ///< the stream itself: "layer", "the archive"
  std::string_view reading; ///< what "reading ...: <why>" names: "layer tar", "the archive"
};

/// An image layer (also a tar that ADD or COPY unpacks).
inline constexpr stream_words layer_words{"layer", "layer tar"};
/// The tar of docker cp's upload.
inline constexpr stream_words archive_words{"the archive", "the archive"};
/// The tar of a build's context.
inline constexpr stream_words build_context_words{"build context", "build context"};

/// Two libarchive readers in one thread: the outer one (format "raw", gzip/zstd/xz/bzip2 or none)
/// decompresses `source`; its output is counted, hashed and handed without copying to the inner
/// one (format tar, no filters). Limits on size and decompression ratio are checked as the
/// uncompressed bytes pass, the number of entries as they are read. Messages name the stream in
/// `words`. Not copyable; one use.
class layer_stream {
 public:
  layer_stream(byte_source& source, const unpack_limits& limits, bool compute_diff_id,
               const stream_words& words = layer_words);
  ~layer_stream();
  layer_stream(const layer_stream&) = delete;
  layer_stream& operator=(const layer_stream&) = delete;

  /// Opens both readers (reads the first bytes to detect the compression). A stream with no
  /// bytes at all (also once decompressed) fails with "<subject> stream is empty" and empty() is
  /// true: a caller for whom that means "nothing to do" tells it from a broken stream so.
  [[nodiscard]] caf::error open();

  /// Whether open() found the stream empty.
  [[nodiscard]] bool empty() const noexcept { return empty_; }

  /// The next entry, or nullptr once the archive ended properly: an end-of-archive block was seen
  /// and the rest of the stream (padding, compression trailer) was read and hashed. The entry is
  /// valid until the next call. Skips whatever is left of the previous entry's contents. An
  /// entry beyond the limit's count is an error ("<subject> has more than N entries").
  [[nodiscard]] caf::expected<archive_entry*> next_entry();

  /// The next piece of the current entry's contents.
  [[nodiscard]] caf::expected<data_block> read_block();

  /// "sha256:<hex>" of the uncompressed stream, once next_entry returned nullptr ("" if not asked).
  [[nodiscard]] std::string diff_id();

  /// Uncompressed bytes seen so far.
  [[nodiscard]] uint64_t tar_bytes() const noexcept { return tar_bytes_; }

  /// Bytes read from the source so far.
  [[nodiscard]] uint64_t compressed_bytes() const noexcept { return compressed_bytes_; }

  /// Entries returned so far.
  [[nodiscard]] uint64_t entries() const noexcept { return entries_; }

 private:
  static ssize_t read_source(archive* a, void* self, const void** buf);
  static ssize_t read_uncompressed(archive* a, void* self, const void** buf);

  /// Counts and hashes uncompressed bytes; an error once a limit is passed.
  caf::error account(const void* data, size_t size);

  /// Reads what follows the end-of-archive block to the end of the stream.
  caf::error drain();

  /// The error to report after `a` failed: a pending one (source, limits) first, else libarchive's.
  caf::error failure(archive* a, std::string what);

  byte_source& source_;
  unpack_limits limits_;
  stream_words words_;
  std::vector<char> buffer_;
  archive* outer_ = nullptr;
  archive* inner_ = nullptr;
  evp_md_ctx_st* hash_ = nullptr;
  caf::error pending_;
  uint64_t tar_bytes_ = 0;
  uint64_t compressed_bytes_ = 0;
  uint64_t entries_ = 0;
  bool want_hash_ = false;
  bool outer_done_ = false;
  bool started_ = false;
  bool empty_ = false;
};

} // namespace berth::storage
