// Tests of storage/container_path: dockerd's path rules and in-root resolution on temp trees,
// with symlinks that try to lead out of the container's root.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "layer_unpack_fixture.hpp"
#include "storage/container_path.hpp"
#include "storage/kernel_filesystem.hpp"

namespace berth::storage {
namespace {

TEST(container_path_rules, archive_path_cleans_and_keeps_trailing_markers) {
  EXPECT_EQ(archive_path("/etc/passwd"), "/etc/passwd");
  EXPECT_EQ(archive_path("etc//passwd"), "/etc/passwd");
  EXPECT_EQ(archive_path("/a//b/"), "/a/b/");
  EXPECT_EQ(archive_path("x/."), "/x/.");
  EXPECT_EQ(archive_path("/x/./"), "/x/./");
  EXPECT_EQ(archive_path("/"), "/");
  EXPECT_EQ(archive_path("/."), "/.");
  EXPECT_EQ(archive_path("a/../b"), "/b");
  EXPECT_EQ(archive_path("../../etc"), "/etc");
}

TEST(container_path_rules, go_base_is_go_s_path_base) {
  EXPECT_EQ(go_base("/etc/passwd"), "passwd");
  EXPECT_EQ(go_base("/tmp/"), "tmp");
  EXPECT_EQ(go_base("/tmp/."), ".");
  EXPECT_EQ(go_base("/"), "/");
  EXPECT_EQ(go_base("//"), "/");
  EXPECT_EQ(go_base(""), ".");
  EXPECT_EQ(go_base("file"), "file");
}

TEST(container_path_rules, below_root_strips_leading_slashes) {
  EXPECT_EQ(below_root("/a/b"), "a/b");
  EXPECT_EQ(below_root("//a/."), "a/.");
  EXPECT_EQ(below_root("/"), ".");
  EXPECT_EQ(below_root(""), ".");
}

class container_path_test : public test::layer_unpack_test {
 protected:
  void SetUp() override {
    layer_unpack_test::SetUp();
    ASSERT_EQ(::mkdir(in_root("etc").c_str(), 0755), 0);
    write(in_root("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
    ASSERT_EQ(::mkdir(in_root("data").c_str(), 0755), 0);
    auto fd = sys::open(root_, O_RDONLY | O_DIRECTORY);
    ASSERT_TRUE(fd);
    root_fd_ = std::move(*fd);
  }

  static void write(const std::string& path, const std::string& text) {
    auto fd = sys::open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_TRUE(fd) << path;
    ASSERT_FALSE(sys::write_all(fd->get(), text, path));
  }

  void link(const std::string& target, const std::string& name) {
    ASSERT_EQ(::symlink(target.c_str(), in_root(name).c_str()), 0) << name;
  }

  std::string resolve(const std::string& path, missing_component m = missing_component::keep) {
    auto r = resolve_in_container(root_fd_.get(), path, m);
    return r ? *r : "error: " + error_message(r.error());
  }

  unique_fd root_fd_;
};

TEST_F(container_path_test, resolves_symlinks_inside_the_root) {
  link("/", "out");
  link("../../../../etc", "up");
  link("/etc/passwd", "data/pw");
  link("pw", "data/pw2");
  EXPECT_EQ(resolve("/out"), "/");
  EXPECT_EQ(resolve("/out/etc/passwd"), "/etc/passwd");
  EXPECT_EQ(resolve("/up/passwd"), "/etc/passwd"); // ".." stops at the root
  EXPECT_EQ(resolve("/data/pw2"), "/etc/passwd");
  EXPECT_EQ(resolve("/data/../etc"), "/etc");
  EXPECT_EQ(resolve("/"), "/");
}

TEST_F(container_path_test, missing_components_are_kept_or_refused) {
  link("/nowhere/deeper", "dangling");
  EXPECT_EQ(resolve("/dangling"), "/nowhere/deeper");
  EXPECT_EQ(resolve("/etc/missing/x"), "/etc/missing/x");
  auto r = resolve_in_container(root_fd_.get(), "/dangling", missing_component::fail);
  ASSERT_FALSE(r);
  EXPECT_EQ(error_kind(r.error()), errc::not_found);
}

TEST_F(container_path_test, symlink_loops_end_with_an_error) {
  link("b", "a");
  link("a", "b");
  EXPECT_NE(resolve("/a").find("too many symlinks"), std::string::npos) << resolve("/a");
}

TEST_F(container_path_test, escaping_symlinks_never_reach_the_host) {
  // The outside directory is a sibling of the root on the host: a relative link climbing out of
  // the root and an absolute link naming its host path both stay inside the root.
  link("../outside", "rel");
  link(outside_, "abs");
  EXPECT_FALSE(open_in_container(root_fd_.get(), "/rel/marker", O_RDONLY));
  EXPECT_FALSE(open_in_container(root_fd_.get(), "/abs/marker", O_RDONLY));
  EXPECT_EQ(resolve("/rel/marker"), "/outside/marker");
  EXPECT_EQ(resolve("/abs/marker"), outside_ + "/marker");
  auto passwd = open_in_container(root_fd_.get(), "/etc/passwd", O_RDONLY);
  EXPECT_TRUE(passwd);
  expect_outside_untouched();
}

TEST(container_path_kernel_fs, kernel_filesystems_show_only_their_mount_points) {
  auto root = sys::open("/", O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(root);
  auto proc = open_in_container(root->get(), "/proc", O_PATH);
  ASSERT_TRUE(proc);
  EXPECT_TRUE(on_kernel_filesystem(proc->get()));
  EXPECT_TRUE(is_mount_root(proc->get()));
  auto status = open_in_container(root->get(), "/proc/self/status", O_RDONLY);
  ASSERT_FALSE(status);
  EXPECT_EQ(error_kind(status.error()), errc::not_found);
  // /proc's magic links (a process's root, its descriptors) never lead anywhere.
  EXPECT_FALSE(open_in_container(root->get(), "/proc/self/root/etc", O_PATH));
  EXPECT_FALSE(open_in_container(root->get(), "/proc/1/root", O_PATH));
  auto tmp = open_in_container(root->get(), "/tmp", O_PATH);
  ASSERT_TRUE(tmp);
  EXPECT_FALSE(on_kernel_filesystem(tmp->get()));
}

} // namespace
} // namespace berth::storage
