// Tests base/sys: checked syscalls name the call and the path.
#include <cstdlib>
#include <sys/stat.h>

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
