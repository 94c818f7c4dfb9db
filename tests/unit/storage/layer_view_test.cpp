// Tests storage/layer_view: layer directories merged as overlayfs merges them (whiteouts, opaque
// directories, a non-directory ending the merge) and paths resolved in them as moby's
// FollowSymlinkInScope resolves them, never outside the view.
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "storage/layer_view.hpp"

using namespace berth;
using namespace berth::storage;

namespace {

class layer_view_test : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-layer-view-test-XXXXXX";
    base_ = ::mkdtemp(tmpl);
    for (const auto* layer : {"upper", "middle", "lower"})
      ASSERT_FALSE(sys::make_dirs(base_ + "/" + layer));
  }
  void TearDown() override { (void)sys::remove_all(base_); }

  /// `rel` in `layer`, its parent directories made.
  std::string at(const std::string& layer, const std::string& rel) const {
    auto path = base_ + "/" + layer + "/" + rel;
    EXPECT_FALSE(sys::make_dirs(path.substr(0, path.rfind('/'))));
    return path;
  }
  void dir(const std::string& layer, const std::string& rel) const {
    ASSERT_FALSE(sys::make_dirs(at(layer, rel)));
  }
  void file(const std::string& layer, const std::string& rel) const {
    ASSERT_FALSE(sys::write_file_atomic(at(layer, rel), layer));
  }
  void link(const std::string& layer, const std::string& rel, const std::string& target) const {
    ASSERT_EQ(::symlink(target.c_str(), at(layer, rel).c_str()), 0) << rel;
  }
  void whiteout(const std::string& layer, const std::string& rel) const {
    ASSERT_EQ(::mknod(at(layer, rel).c_str(), S_IFCHR | 0000, makedev(0, 0)), 0) << rel;
  }
  void opaque(const std::string& layer, const std::string& rel) const {
    ASSERT_EQ(::setxattr(at(layer, rel).c_str(), "trusted.overlay.opaque", "y", 1, 0), 0);
  }

  layer_view view() const {
    auto v = layer_view::open({base_ + "/upper", base_ + "/middle", base_ + "/lower"});
    EXPECT_TRUE(v) << error_message(v.error());
    return std::move(*v);
  }
  /// What the merged entry at `path` is: "dir", "file", "link", "none".
  std::string kind(const std::string& path) const {
    auto st = view().lstat(path);
    if (!st) return "none";
    if (S_ISDIR(st->st_mode)) return "dir";
    if (S_ISLNK(st->st_mode)) return "link";
    return S_ISREG(st->st_mode) ? "file" : "other";
  }
  std::string resolved(const std::string& path) const {
    auto r = view().resolve(path);
    return r ? *r : "error: " + error_message(r.error());
  }

  std::string base_;
};

} // namespace

TEST_F(layer_view_test, directories_merge_down_to_a_whiteout_an_opaque_dir_or_a_non_directory) {
  dir("upper", "etc");
  dir("lower", "etc/app");
  file("lower", "etc/app/conf");
  file("middle", "etc/hosts");
  EXPECT_EQ(kind("/"), "dir");
  EXPECT_EQ(kind("/etc/app/conf"), "file");
  EXPECT_EQ(kind("etc/hosts"), "file");
  EXPECT_EQ(kind("/etc/missing"), "none");
  EXPECT_EQ(kind("/etc/hosts/x"), "none");
  // A whiteout hides the path in every layer below it.
  whiteout("middle", "etc/app");
  EXPECT_EQ(kind("/etc/app"), "none");
  EXPECT_EQ(kind("/etc/app/conf"), "none");
  // An opaque directory hides the content of the same directory below.
  dir("middle", "srv");
  opaque("middle", "srv");
  dir("lower", "srv/old");
  dir("upper", "srv/new");
  EXPECT_EQ(kind("/srv/new"), "dir");
  EXPECT_EQ(kind("/srv/old"), "none");
  // A file above a directory hides the directory; a directory above a link or a file too.
  file("upper", "opt");
  dir("lower", "opt/bin");
  dir("upper", "usr");
  link("middle", "usr", "/opt");
  dir("lower", "usr/lib");
  EXPECT_EQ(kind("/opt"), "file");
  EXPECT_EQ(kind("/opt/bin"), "none");
  EXPECT_EQ(kind("/usr"), "dir");
  EXPECT_EQ(kind("/usr/lib"), "none");
}

TEST_F(layer_view_test, a_merged_directory_looks_up_its_entries_as_the_view_does) {
  dir("upper", "etc");
  file("lower", "etc/passwd");
  dir("middle", "etc/app");
  dir("lower", "etc/app/old");
  opaque("middle", "etc/app");
  file("upper", "etc/app/new");
  whiteout("upper", "etc/gone");
  dir("lower", "etc/gone");
  file("middle", "etc/file");
  auto v = view();
  auto etc = v.root().open("etc");
  ASSERT_TRUE(etc && etc->exists());
  auto passwd = etc->lstat("passwd");
  ASSERT_TRUE(passwd && *passwd);
  EXPECT_TRUE(S_ISREG((*passwd)->st_mode));
  EXPECT_FALSE(*etc->lstat("gone"));
  EXPECT_FALSE(etc->open("gone")->exists());
  EXPECT_FALSE(etc->open("file")->exists()); // no directory
  EXPECT_FALSE(etc->open("missing")->exists());
  auto app = etc->open("app");
  ASSERT_TRUE(app && app->exists());
  EXPECT_TRUE(*app->lstat("new"));
  EXPECT_FALSE(*app->lstat("old")); // below the opaque directory
  // Nothing is below an empty directory.
  EXPECT_FALSE(*merged_directory{}.lstat("etc"));
  EXPECT_FALSE(merged_directory{}.open("etc")->exists());
}

TEST_F(layer_view_test, links_resolve_across_layers_scoped_to_the_root) {
  dir("lower", "usr/lib/x86_64");
  dir("middle", "usr/lib");
  link("lower", "lib", "usr/lib");
  link("upper", "lib64", "/lib/x86_64");
  link("middle", "usr/lib/current", "../lib/./x86_64");
  link("upper", "up", "../../../../..");
  link("lower", "host", "/etc/../../../etc");
  EXPECT_EQ(resolved("/lib"), "/usr/lib");
  EXPECT_EQ(resolved("/lib/"), "/usr/lib");
  EXPECT_EQ(resolved("/lib64/file"), "/usr/lib/x86_64/file");
  EXPECT_EQ(resolved("/lib/current/a/b"), "/usr/lib/x86_64/a/b");
  EXPECT_EQ(resolved("/up"), "/");
  EXPECT_EQ(resolved("/up/up/etc"), "/etc");
  EXPECT_EQ(resolved("/host/passwd"), "/etc/passwd");
  EXPECT_EQ(resolved("/missing/../lib/y"), "/usr/lib/y");
  // The path is cleaned before anything is resolved, as Go's filepath.Clean does it.
  EXPECT_EQ(resolved("/lib/../etc"), "/etc");
  EXPECT_EQ(resolved("/../../lib"), "/usr/lib");
  // A dangling link's target is kept as it is written, below the root.
  link("upper", "dangling", "/no/such/dir");
  EXPECT_EQ(resolved("/dangling/f"), "/no/such/dir/f");
  // A whiteout hides a link below it.
  whiteout("middle", "lib");
  EXPECT_EQ(resolved("/lib/x"), "/lib/x");
}

TEST_F(layer_view_test, too_many_links_is_dockerds_error) {
  link("upper", "self", "self");
  link("middle", "a", "b/c");
  link("lower", "b", "/a");
  EXPECT_EQ(resolved("/self"), "error: evalSymlinksInScope: too many links in /self");
  EXPECT_EQ(resolved("/a/x"), "error: evalSymlinksInScope: too many links in /a/x");
  // Long chains within the limit resolve.
  dir("lower", "target");
  std::string previous = "/target";
  for (int i = 0; i < 50; ++i) {
    auto name = "l" + std::to_string(i);
    link("lower", name, previous);
    previous = "/" + name;
  }
  EXPECT_EQ(resolved(previous + "/f"), "/target/f");
}

TEST_F(layer_view_test, an_empty_view_has_only_paths_that_do_not_exist) {
  auto v = layer_view::open({});
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->lstat("/"));
  EXPECT_FALSE(v->lstat("/etc"));
  EXPECT_EQ(*v->resolve("/a/./b/../c/"), "/a/c");
  EXPECT_FALSE(layer_view::open({base_ + "/no-such-layer"}));
}
