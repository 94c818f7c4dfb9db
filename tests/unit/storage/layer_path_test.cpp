// Tests storage/layer_path: entry names are cleaned or refused, symlink breakout is lexical.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "storage/layer_path.hpp"

using namespace berth;
using namespace berth::storage;

namespace {

std::string cleaned(std::string_view raw) {
  auto r = clean_entry_name(raw);
  return r ? *r : "<error: " + error_message(r.error()) + ">";
}

bool refused(std::string_view raw) {
  return !clean_entry_name(raw);
}

} // namespace

TEST(layer_path, names_are_made_relative_and_normalised) {
  EXPECT_EQ(cleaned("a/b"), "a/b");
  EXPECT_EQ(cleaned("./a/b"), "a/b");
  EXPECT_EQ(cleaned("/a/b"), "a/b");
  EXPECT_EQ(cleaned("//./a//./b/"), "a/b");
  EXPECT_EQ(cleaned("a/./b/."), "a/b");
  EXPECT_EQ(cleaned("./"), "");
  EXPECT_EQ(cleaned("/"), "");
  EXPECT_EQ(cleaned("."), "");
  EXPECT_EQ(cleaned("...a/..b/b.."), "...a/..b/b..") << "dots inside names are just names";
  EXPECT_EQ(cleaned(".wh..wh..opq"), ".wh..wh..opq");
}

TEST(layer_path, climbing_dot_dots_empty_nul_and_overlong_names_are_refused) {
  EXPECT_TRUE(refused(""));
  EXPECT_TRUE(refused(".."));
  EXPECT_TRUE(refused("../a"));
  EXPECT_FALSE(refused("a/..")) << "the root, as filepath.Clean makes it";
  EXPECT_EQ(cleaned("a/.."), "");
  EXPECT_EQ(cleaned("a/../b"), "b") << "resolved lexically, as dockerd's filepath.Clean does";
  EXPECT_EQ(cleaned("./a/b/../../c/./d"), "c/d");
  EXPECT_TRUE(refused("a/../../b"));
  EXPECT_TRUE(refused("/../a"));
  EXPECT_TRUE(refused(std::string_view{"a\0b", 3}));
  EXPECT_TRUE(refused(std::string(4097, 'a')));
  EXPECT_FALSE(refused(std::string(4096, 'a')));
  auto r = clean_entry_name("x/../../etc/passwd");
  ASSERT_FALSE(r);
  EXPECT_EQ(error_kind(r.error()), errc::invalid_argument);
  EXPECT_NE(error_message(r.error()).find("\"x/../../etc/passwd\""), std::string::npos);
  r = clean_entry_name(std::string(10000, 'a'));
  ASSERT_FALSE(r);
  EXPECT_LT(error_message(r.error()).size(), 400u) << "long names are cut short in messages";
}

TEST(layer_path, split_gives_directory_and_leaf) {
  EXPECT_EQ(split_entry_name("a"), (std::pair<std::string_view, std::string_view>{"", "a"}));
  EXPECT_EQ(split_entry_name("a/b/c"), (std::pair<std::string_view, std::string_view>{"a/b", "c"}));
}

TEST(layer_path, join_puts_a_name_below_a_directory) {
  EXPECT_EQ(join_entry_name("", "a/b"), "a/b");
  EXPECT_EQ(join_entry_name("dst", "a/b"), "dst/a/b");
  EXPECT_EQ(join_entry_name("d/e", "f"), "d/e/f");
}

TEST(layer_path, relative_symlinks_must_stay_under_the_root) {
  EXPECT_FALSE(symlink_escapes("link", "target"));
  EXPECT_FALSE(symlink_escapes("a/link", "../target"));
  EXPECT_FALSE(symlink_escapes("a/b/link", "../../target"));
  EXPECT_FALSE(symlink_escapes("a/link", "./.././x"));
  EXPECT_FALSE(symlink_escapes("link", "/etc/passwd")) << "absolute: resolved in the container";
  EXPECT_FALSE(symlink_escapes("link", "/../../.."));
  EXPECT_FALSE(symlink_escapes("link", ""));
  EXPECT_TRUE(symlink_escapes("link", ".."));
  EXPECT_TRUE(symlink_escapes("a/link", "../../etc"));
  EXPECT_TRUE(symlink_escapes("a/b/link", "../../../etc"));
  EXPECT_TRUE(symlink_escapes("link", "x/../../y")) << "a dip below the root escapes";
  EXPECT_TRUE(symlink_escapes("a/link", "../x/../../y"));
}
