// Tests storage/layer_unpack against hostile layers: each is refused or neutralised, and nothing
// appears outside the target.
#include <cstdlib>
#include <set>
#include <sys/stat.h>
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

// Each hostile layer is refused (or, for absolute names, neutralised) and leaves "outside" intact.

TEST_F(layer_unpack_test, dot_dot_entries_are_refused) {
  for (auto name : {"../outside/evil", "a/../../outside/evil", "./../outside/evil", "..",
                    "a/b/../../../outside/evil"}) {
    auto message = refuse(make_tar({file_entry(name, "evil")}));
    EXPECT_NE(message.find(name), std::string::npos) << message;
    EXPECT_NE(message.find(".."), std::string::npos) << message;
    expect_outside_untouched();
  }
  auto message = refuse(make_tar({dir_entry("a"), hardlink_entry("a/h", "../outside/marker")}));
  EXPECT_NE(message.find("hardlink target"), std::string::npos) << message;
  expect_outside_untouched();
}

TEST_F(layer_unpack_test, absolute_names_land_under_the_root) {
  auto tar = make_tar({file_entry("/etc/evil", "x"), file_entry(outside_ + "/evil", "y"),
                       file_entry("//double//slash", "z"), dir_entry("./trailing/")});
  auto r = unpack(tar);
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(*sys::read_file(in_root("etc/evil")), "x");
  EXPECT_EQ(*sys::read_file(root_ + outside_ + "/evil"), "y");
  EXPECT_EQ(*sys::read_file(in_root("double/slash")), "z");
  EXPECT_TRUE(S_ISDIR(lstat_of(in_root("trailing")).st_mode));
  expect_outside_untouched();
}

TEST_F(layer_unpack_test, writing_through_a_symlink_to_outside_is_refused) {
  auto message = refuse(make_tar({symlink_entry("a", outside_), file_entry("a/evil", "evil")}));
  EXPECT_NE(message.find("a/evil"), std::string::npos) << message;
  expect_outside_untouched();
  EXPECT_FALSE(sys::exists(in_root("a/evil")));

  // Also when the file's parent is created on the way, and for directories and symlinks.
  for (auto& second : {file_entry("a/sub/evil", "evil"), dir_entry("a/evildir"),
                       symlink_entry("a/evillink", "/x"), hardlink_entry("a/h", "target"),
                       tar_entry{.name = "a/fifo", .type = tar_entry::kind::fifo}}) {
    ASSERT_FALSE(sys::remove_all(root_));
    ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
    refuse(make_tar({file_entry("target", "t"), symlink_entry("a", outside_ + "/"), second}));
    expect_outside_untouched();
  }
}

TEST_F(layer_unpack_test, a_relative_symlink_escaping_the_root_is_refused) {
  for (auto [name, target] :
       {std::pair{"a/link", "../../etc"}, std::pair{"link", ".."},
        std::pair{"a/b/link", "../../../outside/marker"}, std::pair{"link", "x/../../outside"}}) {
    auto message =
        refuse(make_tar({dir_entry("a"), dir_entry("a/b"), symlink_entry(name, target)}));
    EXPECT_NE(message.find("breakout"), std::string::npos) << message;
    EXPECT_FALSE(sys::exists(in_root(name)));
    expect_outside_untouched();
  }
  // Staying inside is fine, however deep the link sits.
  auto r = unpack(make_tar({dir_entry("a"), dir_entry("a/b"), symlink_entry("a/b/up", "../../x"),
                            symlink_entry("a/b/dot", "./../.")}));
  ASSERT_TRUE(r) << error_message(r.error());
}

TEST_F(layer_unpack_test, a_hardlink_to_a_file_outside_the_layer_is_refused) {
  struct stat shadow_before {};
  bool have_shadow = ::stat("/etc/shadow", &shadow_before) == 0;
  auto message = refuse(make_tar({dir_entry("etc"), hardlink_entry("etc/copy", "/etc/shadow")}));
  EXPECT_NE(message.find("not in the layer"), std::string::npos) << message;
  EXPECT_FALSE(sys::exists(in_root("etc/copy")));
  if (have_shadow) {
    struct stat shadow_after {};
    ASSERT_EQ(::stat("/etc/shadow", &shadow_after), 0);
    EXPECT_EQ(shadow_after.st_nlink, shadow_before.st_nlink);
  }
  // Not through a symlink to outside either, nor to a directory.
  refuse(make_tar({symlink_entry("s", outside_), hardlink_entry("h", "s/marker")}));
  expect_outside_untouched();
  ASSERT_FALSE(sys::remove_all(root_));
  ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
  message = refuse(make_tar({dir_entry("d"), hardlink_entry("h", "d")}));
  EXPECT_NE(message.find("directory"), std::string::npos) << message;
}

TEST_F(layer_unpack_test, a_later_entry_replaces_a_symlink_to_outside_instead_of_following_it) {
  auto tar =
      make_tar({symlink_entry("m", outside_ + "/marker"), file_entry("m", "evil"),
                symlink_entry("n", outside_ + "/marker"), file_entry("t", "t"),
                hardlink_entry("n", "t"), symlink_entry("d", outside_), dir_entry("d", 0777)});
  auto r = unpack(tar);
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(*sys::read_file(in_root("m")), "evil");
  EXPECT_EQ(lstat_of(in_root("n")).st_ino, lstat_of(in_root("t")).st_ino);
  EXPECT_TRUE(S_ISDIR(lstat_of(in_root("d")).st_mode));
  expect_outside_untouched();
  EXPECT_EQ(lstat_of(outside_).st_mode & 07777, 0755u);
}

TEST_F(layer_unpack_test, a_decompression_bomb_is_stopped_early) {
  auto tar = make_tar({file_entry("zeros", std::string(32 << 20, '\0'))});
  for (auto c : {compression::gzip, compression::zstd}) {
    auto bomb = compress(tar, c);
    ASSERT_LT(bomb.size() * 200, tar.size());
    unpack_limits limits{.max_ratio = 100, .ratio_floor = 1 << 20};
    auto message = refuse(bomb, limits);
    EXPECT_NE(message.find("decompression ratio too high"), std::string::npos) << message;
    struct stat st {};
    if (::lstat(in_root("zeros").c_str(), &st) == 0) {
      EXPECT_LT(st.st_size, 4 << 20);
    }
    expect_outside_untouched();
  }
}

TEST_F(layer_unpack_test, size_and_entry_limits_are_enforced) {
  auto big = make_tar({file_entry("big", std::string(2 << 20, 'x'))});
  auto message = refuse(big, unpack_limits{.max_bytes = 1 << 20});
  EXPECT_NE(message.find("larger than 1048576 bytes"), std::string::npos) << message;
  EXPECT_TRUE(unpack(big, unpack_limits{.max_bytes = big.size()}));

  std::vector<tar_entry> many;
  for (int i = 0; i < 20; ++i)
    many.push_back(file_entry("f" + std::to_string(i), ""));
  ASSERT_FALSE(sys::remove_all(root_));
  ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
  message = refuse(make_tar(many), unpack_limits{.max_entries = 10});
  EXPECT_NE(message.find("more than 10 entries"), std::string::npos) << message;
  EXPECT_LE(list_dir(root_).size(), 10u);
}

TEST_F(layer_unpack_test, truncated_and_corrupt_layers_are_errors) {
  auto tar = make_tar({file_entry("a", std::string(1000, 'a')), file_entry("b", "b")},
                      tar_format::ustar, compression::none, false);
  ASSERT_EQ(tar.size(), 512u * 7); // a: header + 2 blocks, b: header + 1, end: 2
  struct cut {
    size_t size;
    const char* why;
  };
  for (auto [size, why] : {cut{1500, "inside a file"}, cut{1600, "inside a header"},
                           cut{512 * 5, "after an entry, before the end-of-archive block"},
                           cut{512 * 3, "at the second header"}}) {
    auto message = refuse(tar.substr(0, size));
    EXPECT_NE(message.find("unexpected end of archive"), std::string::npos)
        << why << ": " << message;
  }
  // One end-of-archive block is enough, as for libarchive and Go's archive/tar.
  EXPECT_TRUE(unpack(tar.substr(0, 512 * 6)));

  auto gz = compress(tar, compression::gzip);
  auto message = refuse(gz.substr(0, gz.size() / 2));
  EXPECT_FALSE(message.empty());
  auto zst = compress(tar, compression::zstd);
  refuse(zst.substr(0, zst.size() - 4));

  message = refuse("");
  EXPECT_NE(message.find("empty"), std::string::npos) << message;
  message = refuse(compress("", compression::gzip));
  EXPECT_NE(message.find("empty"), std::string::npos) << message;
  message = refuse(std::string(4096, 'x'));
  EXPECT_NE(message.find("not a tar archive"), std::string::npos) << message;

  auto corrupt = tar;
  corrupt[512 * 3 + 100] ^= 0x55; // the second header's mode: its checksum no longer matches
  refuse(corrupt);
  expect_outside_untouched();
}

TEST_F(layer_unpack_test, names_that_are_too_long_or_odd_are_refused) {
  auto message = refuse(make_tar({file_entry(std::string(5000, 'n'), "x")}));
  EXPECT_NE(message.find("longer than 4096"), std::string::npos) << message;
  auto owner = file_entry("a", "x");
  owner.uid = 1ll << 33;
  message = refuse(make_tar({owner}));
  EXPECT_NE(message.find("invalid owner"), std::string::npos) << message;
  message = refuse(make_tar({file_entry(".", "x")}));
  EXPECT_NE(message.find("layer root"), std::string::npos) << message;
}

TEST_F(layer_unpack_test, source_errors_are_passed_on) {
  struct failing_source : byte_source {
    caf::expected<size_t> read(char*, size_t) override {
      return make_error(errc::unavailable, "client went away");
    }
  } source;
  auto r = unpack_layer(source, root_, {}, true);
  ASSERT_FALSE(r);
  EXPECT_EQ(error_message(r.error()), "client went away");
  EXPECT_EQ(error_kind(r.error()), errc::unavailable);
}

TEST_F(layer_unpack_test, the_target_must_be_a_directory) {
  ASSERT_EQ(::symlink(root_.c_str(), (base_ + "/link").c_str()), 0);
  string_source source{make_tar({file_entry("a", "x")})};
  EXPECT_FALSE(unpack_layer(source, base_ + "/link", {}, false));
  EXPECT_FALSE(unpack_layer(source, base_ + "/missing", {}, false));
  ASSERT_EQ(::unlink((base_ + "/link").c_str()), 0);
}
