// Tests storage/volume_store: a volume's directories and modes, a tmpfs mounted over `_data` and
// unmounted again, removal of a mounted volume and its size (needs root for the mounts).
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <linux/magic.h>
#include <sstream>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "storage/overlay_mount.hpp"
#include "storage/volume_store.hpp"

using namespace berth;
using namespace berth::storage;

namespace {

// Unmounts whatever is still stacked on `path` when the test ends, also after a failed assertion.
class unmount_guard {
 public:
  explicit unmount_guard(std::string path) : path_(std::move(path)) {}
  unmount_guard(const unmount_guard&) = delete;
  unmount_guard& operator=(const unmount_guard&) = delete;
  ~unmount_guard() {
    for (int i = 0; i < 8 && is_mount_point(path_); ++i)
      (void)unmount(path_);
  }

 private:
  std::string path_;
};

// How many mounts /proc/self/mountinfo lists at `path`.
int mounts_at(const std::string& path) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  int count = 0;
  while (std::getline(in, line)) {
    // "id parent major:minor root mountpoint ..."
    std::istringstream fields(line);
    std::string id, parent, dev, root, point;
    fields >> id >> parent >> dev >> root >> point;
    if (point == path) ++count;
  }
  return count;
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

bool is_tmpfs(const std::string& path) {
  struct statfs fs {};
  return ::statfs(path.c_str(), &fs) == 0 && fs.f_type == TMPFS_MAGIC;
}

void write_bytes(const std::string& path, size_t n) {
  std::ofstream(path, std::ios::binary) << std::string(n, 'x');
}

class volume_store_test : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-volstore-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    root_ = dir_ + "/volumes";
    paths_ = paths_of_volume(root_, "vol1");
  }
  void TearDown() override {
    // Never remove a tree with something still mounted inside it.
    for (int i = 0; i < 8 && is_mount_point(paths_.data); ++i)
      (void)unmount(paths_.data);
    if (!is_mount_point(paths_.data)) (void)sys::remove_all(dir_);
  }

  static local_mount small_tmpfs() { return local_mount{"tmpfs", "tmpfs", 0, "size=1m"}; }

  std::string dir_;
  std::string root_;
  volume_paths paths_;
};

} // namespace

TEST(volume_paths, follow_dockerd_layout) {
  auto p = paths_of_volume("/var/lib/berth/volumes", "data");
  EXPECT_EQ(p.dir, "/var/lib/berth/volumes/data");
  EXPECT_EQ(p.data, "/var/lib/berth/volumes/data/_data");
}

TEST_F(volume_store_test, creates_directories_with_dockerd_modes) {
  ASSERT_FALSE(create_volume_directory(paths_));
  struct stat st {};
  ASSERT_EQ(::lstat(paths_.dir.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0701u);
  ASSERT_EQ(::lstat(paths_.data.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0755u);
}

TEST_F(volume_store_test, create_is_idempotent_and_keeps_content) {
  ASSERT_FALSE(create_volume_directory(paths_));
  write_bytes(paths_.data + "/kept", 3);
  ASSERT_FALSE(create_volume_directory(paths_));
  EXPECT_TRUE(sys::exists(paths_.data + "/kept"));
  EXPECT_EQ(mode_of(paths_.dir), 0701u);
  EXPECT_EQ(mode_of(paths_.data), 0755u);
}

TEST_F(volume_store_test, mounts_tmpfs_over_data) {
  ASSERT_FALSE(create_volume_directory(paths_));
  unmount_guard guard(paths_.data);
  EXPECT_FALSE(is_mount_point(paths_.data));
  auto err = mount_local_volume(small_tmpfs(), paths_);
  ASSERT_FALSE(err) << error_message(err);
  EXPECT_TRUE(is_mount_point(paths_.data));
  EXPECT_TRUE(is_tmpfs(paths_.data));
  EXPECT_FALSE(is_tmpfs(paths_.dir));
  // size=1m reached the filesystem.
  struct statfs fs {};
  ASSERT_EQ(::statfs(paths_.data.c_str(), &fs), 0);
  EXPECT_EQ(static_cast<uint64_t>(fs.f_blocks) * fs.f_bsize, 1024u * 1024u);
  EXPECT_EQ(mounts_at(paths_.data), 1);
}

TEST_F(volume_store_test, mount_flags_reach_the_mount) {
  ASSERT_FALSE(create_volume_directory(paths_));
  unmount_guard guard(paths_.data);
  auto err =
      mount_local_volume(local_mount{"tmpfs", "tmpfs", MS_RDONLY | MS_NOSUID, "size=1m"}, paths_);
  ASSERT_FALSE(err) << error_message(err);
  struct statfs fs {};
  ASSERT_EQ(::statfs(paths_.data.c_str(), &fs), 0);
  EXPECT_TRUE(fs.f_flags & ST_RDONLY);
  EXPECT_TRUE(fs.f_flags & ST_NOSUID);
  EXPECT_NE(::mkdir((paths_.data + "/x").c_str(), 0755), 0);
  EXPECT_EQ(errno, EROFS);
}

TEST_F(volume_store_test, mounting_twice_is_a_no_op) {
  ASSERT_FALSE(create_volume_directory(paths_));
  unmount_guard guard(paths_.data);
  ASSERT_FALSE(mount_local_volume(small_tmpfs(), paths_));
  write_bytes(paths_.data + "/marker", 5);
  auto err = mount_local_volume(small_tmpfs(), paths_);
  ASSERT_FALSE(err) << error_message(err);
  // A second tmpfs stacked on top would hide the marker.
  EXPECT_TRUE(sys::exists(paths_.data + "/marker"));
  EXPECT_EQ(mounts_at(paths_.data), 1);
  ASSERT_FALSE(unmount_local_volume(paths_));
  EXPECT_FALSE(is_mount_point(paths_.data));
}

TEST_F(volume_store_test, mount_makes_a_missing_data_directory) {
  unmount_guard guard(paths_.data);
  ASSERT_FALSE(sys::exists(paths_.data));
  auto err = mount_local_volume(small_tmpfs(), paths_);
  ASSERT_FALSE(err) << error_message(err);
  EXPECT_TRUE(is_tmpfs(paths_.data));
}

TEST_F(volume_store_test, failed_mount_says_what_it_mounted) {
  ASSERT_FALSE(create_volume_directory(paths_));
  unmount_guard guard(paths_.data);
  auto err = mount_local_volume(local_mount{"nosuchfs", "nodev", 0, "a=b"}, paths_);
  ASSERT_TRUE(err);
  auto message = error_message(err);
  EXPECT_EQ(message.rfind("error while mounting volume '" + paths_.data +
                              "': failed to mount local volume: mount nodev:" + paths_.data +
                              ", data: a=b: ",
                          0),
            0u)
      << message;
  EXPECT_FALSE(is_mount_point(paths_.data));
}

TEST_F(volume_store_test, unmount_reveals_the_directory_below) {
  ASSERT_FALSE(create_volume_directory(paths_));
  write_bytes(paths_.data + "/below", 1);
  unmount_guard guard(paths_.data);
  ASSERT_FALSE(mount_local_volume(small_tmpfs(), paths_));
  EXPECT_FALSE(sys::exists(paths_.data + "/below"));
  write_bytes(paths_.data + "/on-tmpfs", 1);
  auto err = unmount_local_volume(paths_);
  ASSERT_FALSE(err) << error_message(err);
  EXPECT_FALSE(is_mount_point(paths_.data));
  EXPECT_TRUE(sys::exists(paths_.data + "/below"));
  EXPECT_FALSE(sys::exists(paths_.data + "/on-tmpfs"));
  // Nothing mounted: still no error.
  EXPECT_FALSE(unmount_local_volume(paths_));
}

TEST_F(volume_store_test, remove_unmounts_first) {
  ASSERT_FALSE(create_volume_directory(paths_));
  unmount_guard guard(paths_.data);
  ASSERT_FALSE(mount_local_volume(small_tmpfs(), paths_));
  write_bytes(paths_.data + "/file", 100);
  auto err = remove_volume_directory(paths_);
  ASSERT_FALSE(err) << error_message(err);
  EXPECT_EQ(mounts_at(paths_.data), 0);
  EXPECT_FALSE(sys::exists(paths_.dir));
  EXPECT_TRUE(sys::exists(root_));
}

TEST_F(volume_store_test, remove_of_plain_and_missing_volumes) {
  ASSERT_FALSE(create_volume_directory(paths_));
  ASSERT_EQ(::mkdir((paths_.data + "/sub").c_str(), 0755), 0);
  write_bytes(paths_.data + "/sub/f", 10);
  ASSERT_FALSE(remove_volume_directory(paths_));
  EXPECT_FALSE(sys::exists(paths_.dir));
  EXPECT_FALSE(remove_volume_directory(paths_));
}

TEST_F(volume_store_test, size_counts_bytes_written) {
  ASSERT_FALSE(create_volume_directory(paths_));
  EXPECT_EQ(volume_size(paths_), 0u);
  constexpr size_t a = 100 * 1024;
  constexpr size_t b = 50 * 1024;
  write_bytes(paths_.data + "/a", a);
  ASSERT_EQ(::mkdir((paths_.data + "/sub").c_str(), 0755), 0);
  write_bytes(paths_.data + "/sub/b", b);
  ::sync();
  auto size = volume_size(paths_);
  // Allocated bytes: at least what was written, at most a few blocks more per file.
  EXPECT_GE(size, a + b);
  EXPECT_LE(size, a + b + 2 * 64 * 1024);
}

TEST_F(volume_store_test, size_of_a_mounted_volume_counts_the_mount) {
  ASSERT_FALSE(create_volume_directory(paths_));
  unmount_guard guard(paths_.data);
  ASSERT_FALSE(mount_local_volume(small_tmpfs(), paths_));
  EXPECT_EQ(volume_size(paths_), 0u);
  write_bytes(paths_.data + "/a", 64 * 1024);
  EXPECT_EQ(volume_size(paths_), 64u * 1024u);
}

TEST_F(volume_store_test, size_of_a_missing_volume_is_zero) {
  EXPECT_EQ(volume_size(paths_), 0u);
}
