// ADD's local archives as dockerd's builder treats them (see local_archive.hpp).
#include "storage/local_archive.hpp"

#include <cerrno>
#include <memory>
#include <unistd.h>

#include "base/sys.hpp"
#include "storage/layer_stream.hpp"
#include "storage/zstd_source.hpp"

namespace berth::storage {

namespace {

/// The file from its start, read with pread: the descriptor's own offset is left alone (the caller
/// copies the file from it when it is no archive).
class file_source final : public byte_source {
 public:
  explicit file_source(int fd) : fd_(fd) {}
  caf::expected<size_t> read(char* buf, size_t n) override {
    for (;;) {
      auto got = ::pread(fd_, buf, n, offset_);
      if (got >= 0) {
        offset_ += got;
        return static_cast<size_t>(got);
      }
      if (errno != EINTR) return sys::error_from_errno("read", "archive", errno);
    }
  }

 private:
  int fd_;
  off_t offset_ = 0;
};

/// The archive's bytes as the tar reader takes them: a zstd decoder over the file when it starts
/// with a zstd frame (libarchive decodes gzip, bzip2 and xz as dockerd's Go readers do, but
/// keeps libzstd's smaller window limit), else the file.
struct archive_input {
  explicit archive_input(int fd) : file(fd) {
    unsigned char head[8] = {};
    auto got = ::pread(fd, head, sizeof head, 0);
    if (got > 0 && starts_zstd_stream(head, static_cast<size_t>(got)))
      zstd = std::make_unique<zstd_source>(file);
  }
  byte_source& source() { return zstd ? static_cast<byte_source&>(*zstd) : file; }

  file_source file;
  std::unique_ptr<zstd_source> zstd;
};

} // namespace

bool is_tar_archive(int fd) {
  archive_input input{fd};
  // Only the first header counts: an archive whose later entries are broken is still one (its
  // unpacking then fails), and a tar of nothing but its end blocks is not (Go's Next says EOF).
  layer_stream stream{input.source(), unpack_limits{}, false};
  if (stream.open()) return false;
  auto first = stream.next_entry();
  return first && *first != nullptr;
}

caf::expected<unpack_result> unpack_archive(int fd, const std::string& target_dir,
                                            const unpack_limits& limits) {
  archive_input input{fd};
  return unpack_layer(input.source(), target_dir, limits, false);
}

} // namespace berth::storage
