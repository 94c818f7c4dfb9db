// Tests storage/layer_unpack: round trips, whiteouts, compressions and the diff ID.
#include <algorithm>
#include <cstdlib>
#include <fcntl.h>
#include <set>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/byte_source.hpp"
#include "base/error.hpp"
#include "base/sys.hpp"
#include "layer_unpack_fixture.hpp"
#include "storage/layer_unpack.hpp"
#include "tar_builder.hpp"

using namespace berth;
using namespace berth::storage;
using namespace berth::test;

// --- What a layer holds comes out as it went in

TEST_F(layer_unpack_test, files_dirs_links_and_fifos_round_trip_with_their_metadata) {
  auto etc = dir_entry("etc", 0750);
  etc.uid = 1;
  etc.gid = 2;
  etc.mtime = 1'500'000'000;
  auto passwd = file_entry("etc/passwd", "root:x:0:0::/root:/bin/sh\n", 04755);
  passwd.uid = 1000;
  passwd.gid = 1001;
  passwd.mtime = 1'400'000'000;
  passwd.mtime_nsec = 123'456'789;
  passwd.xattrs = {{"user.note", "hello"}, {"user.bin", std::string("a\0b", 3)}};
  auto link = symlink_entry("etc/link", "passwd");
  link.uid = 5;
  link.gid = 6;
  link.mtime = 1'300'000'000;
  auto tmp = dir_entry("tmp", 01777);
  auto shared = dir_entry("shared", 02775);
  shared.xattrs = {{"user.dir", "x"}};
  auto fifo = tar_entry{.name = "run/fifo", .type = tar_entry::kind::fifo, .mode = 0640};
  fifo.uid = 7;
  auto tar =
      make_tar({dir_entry("./", 0711), etc, passwd, link, hardlink_entry("etc/hard", "etc/passwd"),
                symlink_entry("abs", "/etc/passwd"), tmp, shared, fifo,
                file_entry("implicit/parents/file", "x"), file_entry("empty", "")});
  auto r = unpack(tar);
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(r->entries, 11u);
  EXPECT_EQ(r->content_bytes, 27u);
  EXPECT_EQ(r->skipped_devices, 0u);
  EXPECT_EQ(r->tar_bytes, tar.size());
  EXPECT_EQ(r->compressed_bytes, tar.size());

  auto root = lstat_of(root_);
  EXPECT_EQ(root.st_mode & 07777, 0711u);
  EXPECT_EQ(root.st_mtim.tv_sec, 1'600'000'000);

  auto st = lstat_of(in_root("etc"));
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  EXPECT_EQ(st.st_uid, 1u);
  EXPECT_EQ(st.st_gid, 2u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1'500'000'000) << "directory times are set after its children";

  st = lstat_of(in_root("etc/passwd"));
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 04755u) << "setuid survives the chown";
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 1001u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1'400'000'000);
  EXPECT_EQ(st.st_mtim.tv_nsec, 123'456'789);
  EXPECT_EQ(st.st_nlink, 2u);
  EXPECT_EQ(*sys::read_file(in_root("etc/passwd")), "root:x:0:0::/root:/bin/sh\n");
  EXPECT_EQ(get_xattr(in_root("etc/passwd"), "user.note"), "hello");
  EXPECT_EQ(get_xattr(in_root("etc/passwd"), "user.bin"), std::string("a\0b", 3));

  auto hard = lstat_of(in_root("etc/hard"));
  EXPECT_EQ(hard.st_ino, st.st_ino);

  st = lstat_of(in_root("etc/link"));
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(read_link(in_root("etc/link")), "passwd");
  EXPECT_EQ(st.st_uid, 5u);
  EXPECT_EQ(st.st_gid, 6u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1'300'000'000);
  EXPECT_EQ(read_link(in_root("abs")), "/etc/passwd") << "absolute targets are kept as given";

  EXPECT_EQ(lstat_of(in_root("tmp")).st_mode & 07777, 01777u);
  EXPECT_EQ(lstat_of(in_root("shared")).st_mode & 07777, 02775u);
  EXPECT_EQ(get_xattr(in_root("shared"), "user.dir"), "x");

  st = lstat_of(in_root("run/fifo"));
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(st.st_uid, 7u);

  st = lstat_of(in_root("implicit/parents"));
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0755u) << "missing parents are created 0755";
  EXPECT_EQ(lstat_of(in_root("empty")).st_size, 0);
  expect_outside_untouched();
}

TEST_F(layer_unpack_test, sparse_files_keep_their_holes) {
  std::string data(1 << 20, '\0');
  std::fill_n(data.begin(), 4096, 'a');
  std::fill_n(data.begin() + (512 << 10), 4096, 'b');
  auto sparse = file_entry("sparse", data);
  sparse.sparse = {{0, 4096}, {512 << 10, 4096}};
  auto tar = make_tar({sparse});
  ASSERT_LT(tar.size(), 64u << 10) << "the holes are not in the archive";
  auto r = unpack(tar);
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(*sys::read_file(in_root("sparse")), data);
  auto st = lstat_of(in_root("sparse"));
  EXPECT_EQ(st.st_size, 1 << 20);
  EXPECT_LT(st.st_blocks * 512, 256 << 10) << "holes stay holes";
  EXPECT_EQ(r->content_bytes, 1u << 20);
}

TEST_F(layer_unpack_test, ustar_gnu_and_non_ascii_names) {
  for (auto format : {tar_format::ustar, tar_format::gnu, tar_format::pax}) {
    ASSERT_FALSE(sys::remove_all(root_));
    ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
    std::string deep(150, 'd');
    auto name = format == tar_format::ustar ? "caf\xc3\xa9/n" : deep + "/caf\xc3\xa9/" + deep;
    auto r = unpack(make_tar({file_entry(name, "x")}, format));
    ASSERT_TRUE(r) << error_message(r.error());
    EXPECT_TRUE(sys::exists(in_root(name))) << name;
  }
}

TEST_F(layer_unpack_test, later_entries_replace_earlier_ones) {
  auto tar = make_tar({
      file_entry("a", "file first"),
      dir_entry("a"), // file -> dir
      dir_entry("d"),
      file_entry("d/kept", "x"),
      dir_entry("d", 0700), // dir -> dir keeps contents
      dir_entry("e"),
      file_entry("e/gone", "x"),
      file_entry("e", "now a file"), // dir -> file
      file_entry("f", "x"),
      symlink_entry("f", "a"), // file -> symlink
      symlink_entry("g", "a"),
      file_entry("g", "a file, not through the link"),
      file_entry("h", "first"),
      file_entry("h", "second"),
  });
  auto r = unpack(tar);
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_TRUE(S_ISDIR(lstat_of(in_root("a")).st_mode));
  EXPECT_EQ(lstat_of(in_root("d")).st_mode & 07777, 0700u);
  EXPECT_TRUE(sys::exists(in_root("d/kept")));
  EXPECT_EQ(*sys::read_file(in_root("e")), "now a file");
  EXPECT_EQ(read_link(in_root("f")), "a");
  EXPECT_TRUE(S_ISREG(lstat_of(in_root("g")).st_mode));
  EXPECT_TRUE(S_ISDIR(lstat_of(in_root("a")).st_mode)) << "not written through the symlink";
  EXPECT_EQ(*sys::read_file(in_root("h")), "second");
}

TEST_F(layer_unpack_test, absolute_symlinks_resolve_inside_the_root_when_used_as_parents) {
  auto tar = make_tar({dir_entry("real"), symlink_entry("up", "/"), file_entry("up/at-root", "x"),
                       symlink_entry("via", "/real"), file_entry("via/inside", "y")});
  auto r = unpack(tar);
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(*sys::read_file(in_root("at-root")), "x");
  EXPECT_EQ(*sys::read_file(in_root("real/inside")), "y");
  expect_outside_untouched();
}

TEST_F(layer_unpack_test, device_nodes_are_skipped_and_counted) {
  auto tar = make_tar({
      dir_entry("dev"),
      tar_entry{.name = "dev/null",
                .type = tar_entry::kind::chardev,
                .mode = 0666,
                .rdev = makedev(1, 3)},
      tar_entry{.name = "dev/sda",
                .type = tar_entry::kind::blockdev,
                .mode = 0660,
                .rdev = makedev(8, 0)},
      file_entry("dev/regular", "x"),
  });
  auto r = unpack(tar);
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(r->skipped_devices, 2u);
  EXPECT_EQ(r->entries, 4u);
  EXPECT_EQ(list_dir(in_root("dev")), (std::set<std::string>{"regular"}));
}

TEST_F(layer_unpack_test, trusted_xattrs_from_the_archive_are_dropped) {
  auto d = dir_entry("fake-opaque");
  d.xattrs = {
      {"trusted.overlay.opaque", "y"}, {"trusted.overlay.redirect", "/x"}, {"user.kept", "1"}};
  auto r = unpack(make_tar({d}));
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(get_xattr(in_root("fake-opaque"), "trusted.overlay.opaque"), "<none>");
  EXPECT_EQ(get_xattr(in_root("fake-opaque"), "trusted.overlay.redirect"), "<none>");
  EXPECT_EQ(get_xattr(in_root("fake-opaque"), "user.kept"), "1");
}

// --- Whiteouts

TEST_F(layer_unpack_test, oci_whiteouts_become_overlay_whiteouts) {
  auto hidden = file_entry("dir/.wh.file", "");
  hidden.uid = 3;
  auto tar =
      make_tar({file_entry(".wh.gone", ""), dir_entry("dir"), hidden, dir_entry("opaque"),
                file_entry("opaque/.wh..wh..opq", ""), file_entry("opaque/new", "x"),
                file_entry("implicit/.wh..wh..opq", ""), dir_entry(".wh..wh.plnk"),
                file_entry(".wh..wh.plnk/123.456", "aufs"),
                file_entry(".wh..wh.plnk/.wh..wh..opq", ""), file_entry("dir/.wh..wh.aufs", "")});
  auto r = unpack(tar);
  ASSERT_TRUE(r) << error_message(r.error());
  for (auto name : {"gone", "dir/file"}) {
    auto st = lstat_of(in_root(name));
    EXPECT_TRUE(S_ISCHR(st.st_mode)) << name;
    EXPECT_EQ(st.st_rdev, makedev(0, 0)) << name;
  }
  EXPECT_EQ(lstat_of(in_root("dir/file")).st_uid, 3u);
  EXPECT_EQ(get_xattr(in_root("opaque"), "trusted.overlay.opaque"), "y");
  EXPECT_EQ(get_xattr(in_root("implicit"), "trusted.overlay.opaque"), "y");
  EXPECT_EQ(get_xattr(in_root("dir"), "trusted.overlay.opaque"), "<none>");
  EXPECT_EQ(list_dir(root_), (std::set<std::string>{"dir", "gone", "implicit", "opaque"}))
      << "AUFS metadata is not unpacked";
  EXPECT_EQ(list_dir(in_root("dir")), (std::set<std::string>{"file"}));
  EXPECT_EQ(list_dir(in_root("opaque")), (std::set<std::string>{"new"}));
}

TEST_F(layer_unpack_test, a_whiteout_cannot_name_the_parent) {
  auto message = refuse(make_tar({dir_entry("dir"), file_entry("dir/.wh...", "")}));
  EXPECT_NE(message.find("whiteout"), std::string::npos) << message;
  expect_outside_untouched();
}

// --- Compression and the diff ID

TEST_F(layer_unpack_test, every_compression_unpacks_and_hashes_the_uncompressed_stream) {
  auto tar = make_tar({dir_entry("bin"), file_entry("bin/sh", std::string(100'000, 's'), 0755),
                       symlink_entry("sh", "bin/sh")});
  for (auto c : {compression::none, compression::gzip, compression::zstd, compression::xz,
                 compression::bzip2}) {
    ASSERT_FALSE(sys::remove_all(root_));
    ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
    auto layer = c == compression::none ? tar : compress(tar, c);
    auto r = unpack(layer);
    ASSERT_TRUE(r) << static_cast<int>(c) << ": " << error_message(r.error());
    EXPECT_EQ(r->diff_id, sha256_hex(tar));
    EXPECT_EQ(r->tar_bytes, tar.size());
    EXPECT_EQ(r->compressed_bytes, layer.size());
    EXPECT_EQ(*sys::read_file(in_root("bin/sh")), std::string(100'000, 's'));
    EXPECT_EQ(read_link(in_root("sh")), "bin/sh");
  }
}

TEST_F(layer_unpack_test, diff_id_covers_trailing_padding_and_is_optional) {
  auto tar = make_tar({file_entry("a", "x")}, tar_format::pax, compression::none, true);
  EXPECT_EQ(tar.size(), 10240u) << "padded to a full record after the end-of-archive blocks";
  auto r = unpack(compress(tar, compression::gzip));
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(r->diff_id, sha256_hex(tar));
  ASSERT_FALSE(sys::remove_all(in_root("a")));
  r = unpack(tar, {}, false);
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(r->diff_id, "");
  EXPECT_EQ(r->tar_bytes, tar.size());
}

TEST_F(layer_unpack_test, an_empty_tar_is_an_empty_layer) {
  auto r = unpack(std::string(1024, '\0'));
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(r->entries, 0u);
  EXPECT_EQ(r->diff_id, sha256_hex(std::string(1024, '\0')));
  EXPECT_TRUE(list_dir(root_).empty());
}

TEST_F(layer_unpack_test, compressed_twice_is_refused) {
  auto tar = make_tar({file_entry("a", "x")});
  auto message = refuse(compress(compress(tar, compression::gzip), compression::gzip));
  EXPECT_NE(message.find("compressed more than once"), std::string::npos) << message;
}

// Writes the fuzzer's seed layers with the same helper. From the worktree, after a build:
//   BERTH_FUZZ_SEEDS=tests/fuzz/seeds/layer_unpack build/tests/unit_storage
//     --gtest_also_run_disabled_tests --gtest_filter='*write_fuzz_seeds'
TEST(layer_unpack_seeds, DISABLED_write_fuzz_seeds) {
  const char* dir = std::getenv("BERTH_FUZZ_SEEDS");
  if (dir == nullptr) GTEST_SKIP() << "set BERTH_FUZZ_SEEDS to the seed directory";
  auto write = [&](const std::string& name, const std::string& data) {
    auto fd = sys::open(std::string{dir} + "/" + name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_TRUE(fd);
    ASSERT_FALSE(sys::write_all(fd->get(), data, name));
  };
  auto file = file_entry("etc/passwd", "root:x:0:0\n", 04755);
  file.uid = 1000;
  file.xattrs = {{"user.a", "b"}, {"trusted.overlay.opaque", "y"}};
  write("plain.tar",
        make_tar({dir_entry("./", 0755), dir_entry("etc"), file,
                  symlink_entry("etc/link", "passwd"), hardlink_entry("etc/hard", "etc/passwd"),
                  tar_entry{.name = "run/fifo", .type = tar_entry::kind::fifo},
                  tar_entry{.name = "dev/null", .type = tar_entry::kind::chardev},
                  file_entry("etc/.wh.gone", ""), file_entry("etc/.wh..wh..opq", "")},
                 tar_format::pax, compression::none, false));
  write("hostile.tar",
        make_tar({symlink_entry("a", "/tmp"), file_entry("a/evil", "x"), file_entry("../evil", "x"),
                  symlink_entry("b/c", "../../x"), hardlink_entry("h", "/etc/shadow")},
                 tar_format::ustar, compression::none, false));
  write("layer.tar.gz", compress(make_tar({dir_entry("bin"), file_entry("bin/sh", "#!", 0755),
                                           symlink_entry("sh", "bin/sh")},
                                          tar_format::gnu, compression::none, false),
                                 compression::gzip));
}
