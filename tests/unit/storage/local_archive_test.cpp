// Tests storage/local_archive (and zstd_source under it): which files ADD takes for tar archives,
// as dockerd's IsArchivePath decides it, and their unpacking — every compression dockerd reads,
// zstd streams as the zstd tool writes them from a pipe (no content size), skippable and
// multiple frames, and windows beyond libzstd's default limit up to dockerd's.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/byte_source.hpp"
#include "base/error.hpp"
#include "base/sys.hpp"
#include "layer_unpack_fixture.hpp"
#include "storage/local_archive.hpp"
#include "storage/zstd_source.hpp"
#include "tar_builder.hpp"

using namespace berth;
using namespace berth::storage;
using namespace berth::test;

namespace {

std::string le32(uint32_t v) {
  return {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
          static_cast<char>(v >> 24)};
}

/// A zstd frame as a streaming compressor writes it: no content size in its header, a window of
/// 2^window_log bytes declared, `data` in raw blocks.
std::string zstd_frame(std::string_view data, int window_log = 21) {
  std::string out = le32(0xFD2FB528);
  out += '\0';                                      // no content size, checksum or dictionary
  out += static_cast<char>((window_log - 10) << 3); // window descriptor
  size_t block = std::min<size_t>(128 << 10, size_t{1} << window_log);
  size_t pos = 0;
  do {
    auto n = std::min(block, data.size() - pos);
    uint32_t header = static_cast<uint32_t>(n) << 3 | (pos + n == data.size() ? 1 : 0);
    out += le32(header).substr(0, 3); // raw block
    out.append(data.substr(pos, n));
    pos += n;
  } while (pos < data.size());
  return out;
}

std::string skippable_frame(std::string_view payload) {
  return le32(0x184D2A53) + le32(static_cast<uint32_t>(payload.size())) + std::string{payload};
}

class local_archive_test : public layer_unpack_test {
 protected:
  /// The file holding `data`, open for reading.
  unique_fd archive(const std::string& data) {
    auto path = base_ + "/archive-" + std::to_string(++files_);
    EXPECT_FALSE(sys::write_file_atomic(path, data));
    auto fd = sys::open(path, O_RDONLY);
    EXPECT_TRUE(fd);
    return fd ? std::move(*fd) : unique_fd{};
  }
  /// Whether `data` is an archive, and if so what unpacking it gives in a fresh directory.
  std::set<std::string> unpacked(const std::string& data) {
    auto fd = archive(data);
    if (!is_tar_archive(fd.get())) return {"<not an archive>"};
    auto dir = base_ + "/unpacked-" + std::to_string(files_);
    EXPECT_EQ(::mkdir(dir.c_str(), 0755), 0);
    auto result = unpack_archive(fd.get(), dir, {});
    if (!result) return {"<error> " + error_message(result.error())};
    return list_dir(dir);
  }

  int files_ = 0;
};

const std::vector<tar_entry> two_files = {file_entry("one", "1"), file_entry("two", "2")};

} // namespace

TEST_F(local_archive_test, every_compression_dockerd_reads_is_an_archive) {
  auto tar = make_tar(two_files);
  std::set<std::string> both{"one", "two"};
  EXPECT_EQ(unpacked(tar), both);
  for (auto c : {compression::gzip, compression::bzip2, compression::xz, compression::zstd})
    EXPECT_EQ(unpacked(compress(tar, c)), both) << static_cast<int>(c);
  EXPECT_EQ(unpacked(make_tar(two_files, tar_format::gnu, compression::none, false)), both);
}

TEST_F(local_archive_test, zstd_streams_as_tools_write_them) {
  auto tar = make_tar(two_files);
  std::set<std::string> both{"one", "two"};
  EXPECT_EQ(unpacked(zstd_frame(tar)), both);
  // pzstd starts with a skippable frame; zstd may write several frames.
  EXPECT_EQ(unpacked(skippable_frame("pzst") + zstd_frame(tar)), both);
  EXPECT_EQ(
      unpacked(zstd_frame(tar.substr(0, 700)) + skippable_frame("") + zstd_frame(tar.substr(700))),
      both);
  // `zstd --long=28` needs a 256 MiB window, beyond libzstd's default limit and within the
  // 512 MiB dockerd's decoder accepts; a larger one is refused by both (so: no archive).
  EXPECT_EQ(unpacked(zstd_frame(tar, 28)), both);
  EXPECT_EQ(unpacked(zstd_frame(tar, 29)), both);
  EXPECT_EQ(unpacked(zstd_frame(tar, 30)), std::set<std::string>{"<not an archive>"});
}

TEST_F(local_archive_test, what_is_not_a_tar_is_no_archive) {
  std::set<std::string> none{"<not an archive>"};
  EXPECT_EQ(unpacked(""), none);
  EXPECT_EQ(unpacked("plain text, long enough to be read as a header? no."), none);
  EXPECT_EQ(unpacked(std::string(1024, '\0')), none);
  EXPECT_EQ(unpacked(make_tar({})), none); // only the end blocks: Go's Next says EOF
  EXPECT_EQ(unpacked(compress("gzip of text", compression::gzip)), none);
  EXPECT_EQ(unpacked(zstd_frame("zstd of text")), none);
  EXPECT_EQ(unpacked(le32(0xFD2FB528) + "garbage after the magic"), none);
  EXPECT_EQ(unpacked(compress(compress(make_tar(two_files), compression::gzip), compression::gzip)),
            none);
}

TEST_F(local_archive_test, a_damaged_archive_fails_to_unpack) {
  auto tar = make_tar({file_entry("a", "a"), file_entry("big", std::string(100'000, 'x'))});
  auto result = unpacked(zstd_frame(tar).substr(0, 30'000));
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(result.begin()->rfind("<error> ", 0), 0u) << *result.begin();
}

TEST_F(local_archive_test, the_descriptor_offset_is_left_alone) {
  auto fd = archive(make_tar(two_files));
  ASSERT_EQ(::lseek(fd.get(), 3, SEEK_SET), 3);
  EXPECT_TRUE(is_tar_archive(fd.get()));
  EXPECT_EQ(::lseek(fd.get(), 0, SEEK_CUR), 3);
}

TEST_F(local_archive_test, zstd_source_reports_a_truncated_stream) {
  auto frame = zstd_frame(std::string(50'000, 'z'));
  string_source whole{frame};
  zstd_source decoded{whole};
  auto all = read_all(decoded, 1 << 20);
  ASSERT_TRUE(all) << error_message(all.error());
  EXPECT_EQ(*all, std::string(50'000, 'z'));
  string_source cut{frame.substr(0, 20'000)};
  zstd_source truncated{cut};
  auto partial = read_all(truncated, 1 << 20);
  ASSERT_FALSE(partial);
  EXPECT_NE(error_message(partial.error()).find("truncated"), std::string::npos)
      << error_message(partial.error());
}
