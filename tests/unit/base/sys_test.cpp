// Tests base/sys: checked syscalls name the call and the path.
#include <cstdlib>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/sys.hpp"

using namespace berth;

namespace {

std::string make_temp_dir() {
  char tmpl[] = "/tmp/berth-sys-test-XXXXXX";
  return ::mkdtemp(tmpl);
}

} // namespace

TEST(sys, missing_file_is_not_found_and_names_the_path) {
  auto r = sys::read_file("/nonexistent/berth/x");
  ASSERT_FALSE(r);
  EXPECT_EQ(error_kind(r.error()), errc::not_found);
  EXPECT_EQ(error_message(r.error()), "open /nonexistent/berth/x: No such file or directory");
}

TEST(sys, atomic_write_then_read) {
  auto dir = make_temp_dir();
  auto path = dir + "/a/b/file";
  ASSERT_FALSE(sys::make_dirs(dir + "/a/b"));
  ASSERT_FALSE(sys::write_file_atomic(path, "hello", 0600));
  auto back = sys::read_file(path);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, "hello");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(sys::exists(path + ".tmp." + std::to_string(::getpid())));
  ASSERT_FALSE(sys::remove_all(dir));
  EXPECT_FALSE(sys::exists(dir));
}

TEST(sys, read_file_enforces_its_limit) {
  auto dir = make_temp_dir();
  ASSERT_FALSE(sys::write_file_atomic(dir + "/big", std::string(100, 'x')));
  auto r = sys::read_file(dir + "/big", 10);
  ASSERT_FALSE(r);
  EXPECT_EQ(error_kind(r.error()), errc::invalid_argument);
  ASSERT_FALSE(sys::remove_all(dir));
}

TEST(sys, remove_all_does_not_follow_symlinks) {
  auto dir = make_temp_dir();
  auto outside = make_temp_dir();
  ASSERT_FALSE(sys::write_file_atomic(outside + "/keep", "x"));
  ASSERT_EQ(::symlink(outside.c_str(), (dir + "/link").c_str()), 0);
  ASSERT_FALSE(sys::remove_all(dir));
  EXPECT_TRUE(sys::exists(outside + "/keep"));
  ASSERT_FALSE(sys::remove_all(outside));
}

TEST(sys, openat2_in_root_keeps_dot_dot_and_absolute_symlinks_inside) {
  auto dir = make_temp_dir();
  ASSERT_FALSE(sys::make_dirs(dir + "/root/etc"));
  ASSERT_FALSE(sys::write_file_atomic(dir + "/root/etc/hosts", "inside"));
  ASSERT_FALSE(sys::write_file_atomic(dir + "/hosts", "outside"));
  ASSERT_EQ(::symlink("/etc", (dir + "/root/abs").c_str()), 0);
  ASSERT_EQ(::symlink("../../..", (dir + "/root/up").c_str()), 0);
  auto root = sys::open(dir + "/root", O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(root);
  for (auto path : {"abs/hosts", "../etc/hosts", "up/etc/hosts", "/etc/hosts"}) {
    auto fd = sys::openat2(root->get(), path, O_RDONLY, RESOLVE_IN_ROOT);
    ASSERT_TRUE(fd) << path << ": " << error_message(fd.error());
    char buf[16];
    auto n = ::read(fd->get(), buf, sizeof buf);
    EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0), "inside") << path;
  }
  EXPECT_FALSE(sys::openat2(root->get(), "../hosts", O_RDONLY, RESOLVE_IN_ROOT))
      << "not the outside one";
  auto missing = sys::openat2(root->get(), "nope", O_RDONLY, RESOLVE_IN_ROOT);
  ASSERT_FALSE(missing);
  EXPECT_EQ(error_kind(missing.error()), errc::not_found);
  EXPECT_EQ(error_message(missing.error()), "openat2 nope: No such file or directory");
  ASSERT_FALSE(sys::remove_all(dir));
}

TEST(sys, remove_all_at_removes_a_tree_without_following_symlinks) {
  auto dir = make_temp_dir();
  auto outside = make_temp_dir();
  ASSERT_FALSE(sys::write_file_atomic(outside + "/keep", "x"));
  ASSERT_FALSE(sys::make_dirs(dir + "/tree/a/b"));
  ASSERT_FALSE(sys::write_file_atomic(dir + "/tree/a/b/f", "x"));
  ASSERT_EQ(::symlink(outside.c_str(), (dir + "/tree/a/link").c_str()), 0);
  ASSERT_FALSE(sys::write_file_atomic(dir + "/file", "x"));
  auto fd = sys::open(dir, O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(fd);
  ASSERT_FALSE(sys::remove_all_at(fd->get(), "tree"));
  ASSERT_FALSE(sys::remove_all_at(fd->get(), "file"));
  ASSERT_FALSE(sys::remove_all_at(fd->get(), "missing"));
  EXPECT_FALSE(sys::exists(dir + "/tree"));
  EXPECT_FALSE(sys::exists(dir + "/file"));
  EXPECT_TRUE(sys::exists(outside + "/keep"));
  ASSERT_FALSE(sys::remove_all(dir));
  ASSERT_FALSE(sys::remove_all(outside));
}
