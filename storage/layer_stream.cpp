// Reads a layer tar through libarchive: decompression, the diff ID, size limits, then tar entries.
#include "storage/layer_stream.hpp"

#include <cerrno>
#include <utility>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "base/error.hpp"

namespace berth::storage {

namespace {

/// Source reads are large so an uncompressed layer passes through in few syscalls and big blocks
/// (each block goes from this buffer straight to write(2)).
constexpr size_t source_buffer_size = 1 << 20;

std::string hex(const unsigned char* data, size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0xf];
  }
  return out;
}

} // namespace

layer_stream::layer_stream(byte_source& source, const unpack_limits& limits, bool compute_diff_id,
                           const stream_words& words)
    : source_(source), limits_(limits), words_(words), buffer_(source_buffer_size) {
  if (compute_diff_id) hash_ = EVP_MD_CTX_new();
  want_hash_ = compute_diff_id;
}

layer_stream::~layer_stream() {
  // The inner reader pulls from the outer one: free it first.
  if (inner_ != nullptr) archive_read_free(inner_);
  if (outer_ != nullptr) archive_read_free(outer_);
  if (hash_ != nullptr) EVP_MD_CTX_free(hash_);
}

caf::error layer_stream::open() {
  if (want_hash_ && (hash_ == nullptr || EVP_DigestInit_ex(hash_, EVP_sha256(), nullptr) != 1))
    return make_error(errc::internal, "cannot initialise SHA-256");
  outer_ = archive_read_new();
  inner_ = archive_read_new();
  if (outer_ == nullptr || inner_ == nullptr)
    return make_error(errc::internal, "cannot allocate an archive reader");
  // Exactly Docker's compressions, each built into libarchive: a filter that libarchive would
  // run as an external program (its answer is then ARCHIVE_WARN) is refused, as are all others.
  struct filter {
    const char* name;
    int (*support)(archive*);
  };
  for (auto [name, support] : {filter{"gzip", archive_read_support_filter_gzip},
                               filter{"zstd", archive_read_support_filter_zstd},
                               filter{"xz", archive_read_support_filter_xz},
                               filter{"bzip2", archive_read_support_filter_bzip2}})
    if (support(outer_) != ARCHIVE_OK)
      return make_error(errc::not_implemented,
                        std::string{"this libarchive has no built-in "} + name + " support");
  archive_read_support_format_raw(outer_);
  archive_read_support_format_empty(outer_); // raw needs a byte: this one says "nothing at all"
  archive_entry* raw = nullptr;
  std::string subject{words_.subject};
  if (archive_read_open2(outer_, this, nullptr, read_source, nullptr, nullptr) != ARCHIVE_OK)
    return failure(outer_, subject);
  auto rc = archive_read_next_header(outer_, &raw);
  if (rc == ARCHIVE_EOF) {
    empty_ = true;
    return make_error(errc::invalid_argument, subject + " stream is empty");
  }
  if (rc != ARCHIVE_OK) return failure(outer_, subject);
  // Filters are counted with the source itself: more than one decompression is not a layer
  // Docker could read (and would make the diff ID mean something else).
  if (archive_filter_count(outer_) > 2)
    return make_error(errc::invalid_argument, subject + " is compressed more than once");
  archive_read_support_format_tar(inner_);
  if (archive_read_open2(inner_, this, nullptr, read_uncompressed, nullptr, nullptr) !=
      ARCHIVE_OK) {
    return failure(inner_, subject + " is not a tar archive");
  }
  return {};
}

caf::expected<archive_entry*> layer_stream::next_entry() {
  auto reading = "reading " + std::string{words_.reading};
  if (started_ && archive_read_data_skip(inner_) != ARCHIVE_OK) return failure(inner_, reading);
  started_ = true;
  // libarchive ends quietly when the stream stops at an entry boundary; a layer must have its
  // end-of-archive block, which the tar reader consumes: no progress means the stream was cut.
  auto before = archive_filter_bytes(inner_, 0);
  archive_entry* entry = nullptr;
  auto rc = archive_read_next_header(inner_, &entry);
  if (rc == ARCHIVE_OK || rc == ARCHIVE_WARN) {
    if (++entries_ > limits_.max_entries)
      return make_error(errc::invalid_argument, std::string{words_.subject} + " has more than " +
                                                    std::to_string(limits_.max_entries) +
                                                    " entries");
    return entry;
  }
  if (rc != ARCHIVE_EOF) return failure(inner_, reading);
  if (archive_filter_bytes(inner_, 0) == before)
    return make_error(errc::invalid_argument,
                      reading + ": unexpected end of archive (no end-of-archive block)");
  if (auto err = drain()) return err;
  return nullptr;
}

caf::expected<data_block> layer_stream::read_block() {
  for (;;) {
    const void* data = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    auto rc = archive_read_data_block(inner_, &data, &size, &offset);
    if (rc == ARCHIVE_EOF) return data_block{nullptr, 0, offset};
    if (rc != ARCHIVE_OK) return failure(inner_, "reading " + std::string{words_.reading});
    if (size > 0) return data_block{static_cast<const char*>(data), size, offset};
  }
}

std::string layer_stream::diff_id() {
  if (hash_ == nullptr) return {};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(hash_, digest, &size) != 1) return {};
  EVP_MD_CTX_free(std::exchange(hash_, nullptr));
  return "sha256:" + hex(digest, size);
}

ssize_t layer_stream::read_source(archive* a, void* self, const void** buf) {
  auto* stream = static_cast<layer_stream*>(self);
  auto got = stream->source_.read(stream->buffer_.data(), stream->buffer_.size());
  if (!got) {
    stream->pending_ = std::move(got.error());
    archive_set_error(a, EIO, "reading the layer failed");
    return -1;
  }
  stream->compressed_bytes_ += *got;
  *buf = stream->buffer_.data();
  return static_cast<ssize_t>(*got);
}

ssize_t layer_stream::read_uncompressed(archive* a, void* self, const void** buf) {
  auto* stream = static_cast<layer_stream*>(self);
  while (!stream->outer_done_) {
    const void* data = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    auto rc = archive_read_data_block(stream->outer_, &data, &size, &offset);
    if (rc == ARCHIVE_EOF) {
      stream->outer_done_ = true;
      break;
    }
    if (rc != ARCHIVE_OK) {
      if (!stream->pending_)
        stream->pending_ =
            stream->failure(stream->outer_, "decompressing " + std::string{stream->words_.subject});
      archive_set_error(a, EIO, "decompressing the layer failed");
      return -1;
    }
    if (size == 0) continue;
    if (auto err = stream->account(data, size)) {
      stream->pending_ = std::move(err);
      archive_set_error(a, EIO, "layer limit exceeded");
      return -1;
    }
    // Handed on without a copy: libarchive keeps it only until it calls us again, and the outer
    // reader keeps it until its next read, which only this callback makes.
    *buf = data;
    return static_cast<ssize_t>(size);
  }
  return 0;
}

caf::error layer_stream::account(const void* data, size_t size) {
  tar_bytes_ += size;
  if (tar_bytes_ > limits_.max_bytes)
    return make_error(errc::invalid_argument, std::string{words_.subject} + " is larger than " +
                                                  std::to_string(limits_.max_bytes) +
                                                  " bytes uncompressed");
  if (tar_bytes_ > limits_.ratio_floor &&
      static_cast<double>(tar_bytes_) > limits_.max_ratio * static_cast<double>(compressed_bytes_))
    return make_error(errc::invalid_argument,
                      "decompression ratio too high: " + std::to_string(tar_bytes_) +
                          " bytes from " + std::to_string(compressed_bytes_) + " compressed");
  if (hash_ != nullptr && EVP_DigestUpdate(hash_, data, size) != 1)
    return make_error(errc::internal, "SHA-256 update failed");
  return {};
}

caf::error layer_stream::drain() {
  while (!outer_done_) {
    const void* data = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    auto rc = archive_read_data_block(outer_, &data, &size, &offset);
    if (rc == ARCHIVE_EOF) {
      outer_done_ = true;
      break;
    }
    if (rc != ARCHIVE_OK) return failure(outer_, "decompressing " + std::string{words_.subject});
    if (auto err = account(data, size)) return err;
  }
  return {};
}

caf::error layer_stream::failure(archive* a, std::string what) {
  if (pending_) return pending_;
  const char* message = archive_error_string(a);
  std::string text = std::move(what);
  if (a == inner_ && outer_done_) {
    // The stream ended under the tar reader: say so plainly, with libarchive's words after.
    text += ": unexpected end of archive";
    if (message != nullptr) text += std::string{" ("} + message + ")";
  } else {
    text += ": ";
    text += message != nullptr ? message : "unknown libarchive error";
  }
  return make_error(errc::invalid_argument, std::move(text));
}

} // namespace berth::storage
