// Tests storage/volume_copy_up: an image directory copied into an empty volume with its owners,
// modes, times, symlinks and fifos; container paths that try to leave the rootfs through
// symlinks or ".." stay inside it; volumes over files are refused (needs root for chown/mknod).
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "storage/volume_copy_up.hpp"

using namespace berth;
using namespace berth::storage;

namespace {

void write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct stat lstat_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path << ": " << std::strerror(errno);
  return st;
}

void expect_owner_and_mode(const std::string& path, uid_t uid, gid_t gid, mode_t mode) {
  auto st = lstat_of(path);
  EXPECT_EQ(st.st_uid, uid) << path;
  EXPECT_EQ(st.st_gid, gid) << path;
  EXPECT_EQ(st.st_mode & 07777, mode) << path << std::oct << ": mode 0" << (st.st_mode & 07777);
}

std::string link_target(const std::string& path) {
  char buf[PATH_MAX];
  auto n = ::readlink(path.c_str(), buf, sizeof buf);
  if (n < 0) return {};
  return std::string(buf, static_cast<size_t>(n));
}

// Every path under `dir` (relative, "/"-separated), symlinks not followed.
std::set<std::string> tree_of(const std::string& dir, const std::string& prefix = "") {
  std::set<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (auto* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    out.insert(prefix + name);
    if (S_ISDIR(lstat_of(dir + "/" + name).st_mode))
      out.merge(tree_of(dir + "/" + name, prefix + name + "/"));
  }
  ::closedir(d);
  return out;
}

void set_mtime(const std::string& path, time_t seconds, long nanos) {
  struct timespec times[2] = {{seconds, nanos}, {seconds, nanos}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW), 0) << path;
}

void make_dir(const std::string& path, mode_t mode) {
  ASSERT_EQ(::mkdir(path.c_str(), 0700), 0) << path << ": " << std::strerror(errno);
  ASSERT_EQ(::chmod(path.c_str(), mode), 0) << path; // chmod: no umask
}

void make_symlink(const std::string& target, const std::string& path) {
  ASSERT_EQ(::symlink(target.c_str(), path.c_str()), 0) << path << ": " << std::strerror(errno);
}

class copy_up_test : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-copyup-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    rootfs_ = dir_ + "/rootfs";
    volume_ = dir_ + "/volume/_data";
    make_dir(rootfs_, 0755);
    make_dir(dir_ + "/volume", 0701);
    make_dir(volume_, 0755);
  }
  void TearDown() override {
    // Through descriptors: the deep trees below are longer than PATH_MAX (nftw gives up there).
    int tmp = ::open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(tmp, 0);
    auto err = sys::remove_all_at(tmp, dir_.substr(std::string("/tmp/").size()));
    ::close(tmp);
    EXPECT_FALSE(err) << error_message(err);
  }

  // copy_up(rootfs, path, volume) that must succeed.
  void copy(const std::string& container_path) {
    auto err = copy_up(rootfs_, container_path, volume_);
    ASSERT_FALSE(err) << error_message(err);
  }

  std::string dir_;
  std::string rootfs_;
  std::string volume_;
};

} // namespace

TEST_F(copy_up_test, copies_files_directories_symlinks_and_fifos) {
  auto src = rootfs_ + "/data";
  make_dir(src, 0755);
  write(src + "/a.txt", "hello volume\n");
  write(src + "/empty", "");
  make_dir(src + "/d1", 0755);
  make_dir(src + "/d1/d2", 0755);
  write(src + "/d1/d2/deep.txt", std::string(200000, 'z'));
  make_dir(src + "/d1/emptydir", 0755);
  make_symlink("a.txt", src + "/rel");
  make_symlink("/etc/passwd", src + "/abs");
  make_symlink("does/not/exist", src + "/dangling");
  ASSERT_EQ(::mkfifo((src + "/pipe").c_str(), 0644), 0);

  copy("/data");

  EXPECT_EQ(tree_of(volume_),
            (std::set<std::string>{"a.txt", "empty", "d1", "d1/d2", "d1/d2/deep.txt", "d1/emptydir",
                                   "rel", "abs", "dangling", "pipe"}));
  EXPECT_EQ(read(volume_ + "/a.txt"), "hello volume\n");
  EXPECT_EQ(read(volume_ + "/empty"), "");
  EXPECT_EQ(read(volume_ + "/d1/d2/deep.txt"), std::string(200000, 'z'));
  EXPECT_TRUE(S_ISREG(lstat_of(volume_ + "/a.txt").st_mode));
  EXPECT_TRUE(S_ISDIR(lstat_of(volume_ + "/d1/d2").st_mode));
  EXPECT_TRUE(S_ISDIR(lstat_of(volume_ + "/d1/emptydir").st_mode));
  for (const auto* name : {"rel", "abs", "dangling"})
    EXPECT_TRUE(S_ISLNK(lstat_of(volume_ + "/" + name).st_mode)) << name;
  EXPECT_EQ(link_target(volume_ + "/rel"), "a.txt");
  EXPECT_EQ(link_target(volume_ + "/abs"), "/etc/passwd");
  EXPECT_EQ(link_target(volume_ + "/dangling"), "does/not/exist");
  EXPECT_TRUE(S_ISFIFO(lstat_of(volume_ + "/pipe").st_mode));
}

TEST_F(copy_up_test, copies_a_whole_path_below_the_root) {
  make_dir(rootfs_ + "/var", 0755);
  make_dir(rootfs_ + "/var/lib", 0755);
  make_dir(rootfs_ + "/var/lib/app", 0755);
  write(rootfs_ + "/var/lib/app/db", "rows");
  write(rootfs_ + "/var/lib/other", "not this");
  copy("/var/lib/app");
  EXPECT_EQ(tree_of(volume_), std::set<std::string>{"db"});
  EXPECT_EQ(read(volume_ + "/db"), "rows");
}

TEST_F(copy_up_test, preserves_owners_and_modes) {
  auto src = rootfs_ + "/data";
  make_dir(src, 0755);
  write(src + "/user-file", "u");
  ASSERT_EQ(::chown((src + "/user-file").c_str(), 1000, 1000), 0);
  ASSERT_EQ(::chmod((src + "/user-file").c_str(), 0640), 0);
  make_dir(src + "/group-dir", 0750);
  ASSERT_EQ(::chown((src + "/group-dir").c_str(), 4242, 4243), 0);
  make_dir(src + "/group-dir/private", 0700);
  ASSERT_EQ(::chown((src + "/group-dir/private").c_str(), 1000, 1000), 0);
  write(src + "/group-dir/private/secret", "s");
  ASSERT_EQ(::chmod((src + "/group-dir/private/secret").c_str(), 0600), 0);
  // chown clears setuid: chown first, then chmod.
  write(src + "/setuid", "#!/bin/sh\n");
  ASSERT_EQ(::chown((src + "/setuid").c_str(), 1000, 1000), 0);
  ASSERT_EQ(::chmod((src + "/setuid").c_str(), 04755), 0);
  make_dir(src + "/sticky", 01777);
  make_symlink("user-file", src + "/link");
  ASSERT_EQ(::lchown((src + "/link").c_str(), 4242, 4243), 0);
  ASSERT_EQ(::mkfifo((src + "/pipe").c_str(), 0600), 0);
  ASSERT_EQ(::chown((src + "/pipe").c_str(), 4242, 4243), 0);
  ASSERT_EQ(::chmod((src + "/pipe").c_str(), 0666), 0);

  copy("/data");

  auto expect = [&](const std::string& name, uid_t uid, gid_t gid, mode_t mode) {
    expect_owner_and_mode(volume_ + "/" + name, uid, gid, mode);
  };
  expect("user-file", 1000, 1000, 0640);
  expect("group-dir", 4242, 4243, 0750);
  expect("group-dir/private", 1000, 1000, 0700);
  expect("group-dir/private/secret", 0, 0, 0600);
  expect("setuid", 1000, 1000, 04755);
  expect("sticky", 0, 0, 01777);
  expect("pipe", 4242, 4243, 0666);
  auto link = lstat_of(volume_ + "/link");
  EXPECT_EQ(link.st_uid, 4242u);
  EXPECT_EQ(link.st_gid, 4243u);
}

TEST_F(copy_up_test, copies_device_nodes_with_their_numbers) {
  auto src = rootfs_ + "/data";
  make_dir(src, 0755);
  ASSERT_EQ(::mknod((src + "/null").c_str(), S_IFCHR | 0600, ::makedev(1, 3)), 0);
  ASSERT_EQ(::chown((src + "/null").c_str(), 4242, 4243), 0);
  ASSERT_EQ(::chmod((src + "/null").c_str(), 0666), 0);
  copy("/data");
  auto st = lstat_of(volume_ + "/null");
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(::major(st.st_rdev), 1u);
  EXPECT_EQ(::minor(st.st_rdev), 3u);
  expect_owner_and_mode(volume_ + "/null", 4242, 4243, 0666);
}

TEST_F(copy_up_test, preserves_modification_times) {
  auto src = rootfs_ + "/data";
  make_dir(src, 0755);
  make_dir(src + "/dir", 0755);
  write(src + "/dir/file", "content");
  write(src + "/top", "t");
  set_mtime(src + "/dir/file", 1500000000, 123456789);
  set_mtime(src + "/top", 1400000000, 0);
  // Directories last: adding entries changes their mtime.
  set_mtime(src + "/dir", 1300000000, 5);
  set_mtime(src, 1200000000, 7);

  copy("/data");

  auto mtime_of = [&](const std::string& path) { return lstat_of(path).st_mtim; };
  auto expect_mtime = [&](const std::string& path, time_t s, long ns) {
    auto t = mtime_of(path);
    EXPECT_EQ(t.tv_sec, s) << path;
    EXPECT_EQ(t.tv_nsec, ns) << path;
  };
  expect_mtime(volume_ + "/dir/file", 1500000000, 123456789);
  expect_mtime(volume_ + "/top", 1400000000, 0);
  expect_mtime(volume_ + "/dir", 1300000000, 5);
  expect_mtime(volume_, 1200000000, 7);
}

TEST_F(copy_up_test, volume_root_gets_the_directory_owner_and_mode) {
  auto src = rootfs_ + "/data";
  make_dir(src, 0750);
  ASSERT_EQ(::chown(src.c_str(), 1000, 1000), 0);
  write(src + "/f", "x");
  copy("/data");
  expect_owner_and_mode(volume_, 1000, 1000, 0750);
}

TEST_F(copy_up_test, volume_root_gets_owner_and_mode_of_an_empty_directory) {
  // dockerd copies the directory's attributes even when there is nothing inside.
  auto src = rootfs_ + "/data";
  make_dir(src, 01777);
  ASSERT_EQ(::chown(src.c_str(), 4242, 4243), 0);
  copy("/data");
  EXPECT_TRUE(tree_of(volume_).empty());
  expect_owner_and_mode(volume_, 4242, 4243, 01777);
}

TEST_F(copy_up_test, non_empty_volume_is_left_untouched) {
  auto src = rootfs_ + "/data";
  make_dir(src, 0700);
  ASSERT_EQ(::chown(src.c_str(), 1000, 1000), 0);
  write(src + "/from-image", "image");
  write(volume_ + "/existing", "mine");
  copy("/data");
  EXPECT_EQ(tree_of(volume_), std::set<std::string>{"existing"});
  EXPECT_EQ(read(volume_ + "/existing"), "mine");
  expect_owner_and_mode(volume_, 0, 0, 0755);
}

TEST_F(copy_up_test, missing_path_or_file_is_a_no_op) {
  copy("/nothing/here");
  EXPECT_TRUE(tree_of(volume_).empty());
  write(rootfs_ + "/file", "a file, not a directory");
  copy("/file");
  EXPECT_TRUE(tree_of(volume_).empty());
  EXPECT_EQ(lstat_of(volume_).st_mode & 07777, 0755u);
}

TEST_F(copy_up_test, absolute_symlink_resolves_inside_the_rootfs) {
  make_dir(rootfs_ + "/etc", 0755);
  write(rootfs_ + "/etc/marker", "rootfs etc");
  make_symlink("/etc", rootfs_ + "/data");
  copy("/data");
  // The rootfs's etc, never the host's (which has passwd, hostname, ...).
  EXPECT_EQ(tree_of(volume_), std::set<std::string>{"marker"});
  EXPECT_EQ(read(volume_ + "/marker"), "rootfs etc");
}

TEST_F(copy_up_test, relative_symlink_cannot_climb_out_of_the_rootfs) {
  make_dir(rootfs_ + "/etc", 0755);
  write(rootfs_ + "/etc/marker", "rootfs etc");
  make_dir(rootfs_ + "/srv", 0755);
  make_symlink("../../../../../../../../etc", rootfs_ + "/srv/data");
  copy("/srv/data");
  EXPECT_EQ(tree_of(volume_), std::set<std::string>{"marker"});
  EXPECT_EQ(read(volume_ + "/marker"), "rootfs etc");
}

TEST_F(copy_up_test, dot_dot_in_the_container_path_stays_in_the_rootfs) {
  make_dir(rootfs_ + "/etc", 0755);
  write(rootfs_ + "/etc/marker", "rootfs etc");
  copy("/../../../../etc");
  EXPECT_EQ(tree_of(volume_), std::set<std::string>{"marker"});
}

TEST_F(copy_up_test, symlinked_parent_directory_resolves_inside_the_rootfs) {
  make_dir(rootfs_ + "/etc", 0755);
  make_dir(rootfs_ + "/etc/app", 0755);
  write(rootfs_ + "/etc/app/marker", "rootfs etc/app");
  make_symlink("/", rootfs_ + "/up");
  copy("/up/etc/app");
  EXPECT_EQ(tree_of(volume_), std::set<std::string>{"marker"});
}

TEST_F(copy_up_test, escaping_symlink_to_a_missing_rootfs_path_copies_nothing) {
  // The host has /etc, the rootfs does not: nothing may be copied.
  make_symlink("/etc", rootfs_ + "/data");
  copy("/data");
  EXPECT_TRUE(tree_of(volume_).empty());
}

TEST_F(copy_up_test, symlink_to_host_etc_inside_the_tree_is_not_followed) {
  auto src = rootfs_ + "/data";
  make_dir(src, 0755);
  make_symlink("/etc", src + "/etc-link");
  make_symlink("../../../../../../etc", src + "/etc-rel");
  copy("/data");
  EXPECT_EQ(tree_of(volume_), (std::set<std::string>{"etc-link", "etc-rel"}));
  EXPECT_TRUE(S_ISLNK(lstat_of(volume_ + "/etc-link").st_mode));
  EXPECT_EQ(link_target(volume_ + "/etc-link"), "/etc");
  EXPECT_TRUE(S_ISLNK(lstat_of(volume_ + "/etc-rel").st_mode));
  EXPECT_EQ(link_target(volume_ + "/etc-rel"), "../../../../../../etc");
}

TEST_F(copy_up_test, refuses_a_tree_deeper_than_the_limit) {
  auto src = rootfs_ + "/data";
  make_dir(src, 0755);
  // Built through descriptors: the path gets longer than PATH_MAX.
  int fd = ::open(src.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  for (int i = 0; i < 300; ++i) {
    ASSERT_EQ(::mkdirat(fd, "dddddddddddddddd", 0755), 0);
    int next = ::openat(fd, "dddddddddddddddd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ::close(fd);
    ASSERT_GE(next, 0);
    fd = next;
  }
  ::close(fd);
  auto err = copy_up(rootfs_, "/data", volume_);
  ASSERT_TRUE(err);
  EXPECT_EQ(error_kind(err), errc::invalid_argument);
  EXPECT_NE(error_message(err).find("too deep"), std::string::npos) << error_message(err);
}

TEST_F(copy_up_test, copies_a_tree_within_the_limit) {
  auto src = rootfs_ + "/data";
  make_dir(src, 0755);
  std::string path = src;
  for (int i = 0; i < 100; ++i) {
    path += "/d";
    make_dir(path, 0755);
  }
  write(path + "/leaf", "deep");
  copy("/data");
  std::string copied = volume_;
  for (int i = 0; i < 100; ++i)
    copied += "/d";
  EXPECT_EQ(read(copied + "/leaf"), "deep");
}

TEST_F(copy_up_test, check_volume_target_refuses_a_file) {
  make_dir(rootfs_ + "/etc", 0755);
  write(rootfs_ + "/etc/config", "x");
  auto err = check_volume_target(rootfs_, "/etc/config");
  ASSERT_TRUE(err);
  EXPECT_EQ(error_kind(err), errc::invalid_argument);
  EXPECT_EQ(error_message(err),
            "cannot mount volume over existing file, file exists " + rootfs_ + "/etc/config");
}

TEST_F(copy_up_test, check_volume_target_accepts_directories_and_missing_paths) {
  make_dir(rootfs_ + "/data", 0755);
  EXPECT_FALSE(check_volume_target(rootfs_, "/data"));
  EXPECT_FALSE(check_volume_target(rootfs_, "/missing"));
  EXPECT_FALSE(check_volume_target(rootfs_, "/missing/deeper"));
  make_symlink("/data", rootfs_ + "/dir-link");
  EXPECT_FALSE(check_volume_target(rootfs_, "/dir-link"));
}

TEST_F(copy_up_test, check_volume_target_refuses_a_symlink_to_a_file_in_the_rootfs) {
  make_dir(rootfs_ + "/etc", 0755);
  write(rootfs_ + "/etc/config", "x");
  make_symlink("/etc/config", rootfs_ + "/abs-link");
  make_symlink("etc/config", rootfs_ + "/rel-link");
  for (const std::string link : {"/abs-link", "/rel-link"}) {
    auto err = check_volume_target(rootfs_, link);
    ASSERT_TRUE(err) << link;
    EXPECT_NE(error_message(err).find("cannot mount volume over existing file"), std::string::npos)
        << error_message(err);
  }
}

TEST_F(copy_up_test, check_volume_target_does_not_follow_links_to_the_host) {
  // /etc/hostname exists on the host, not in this rootfs: the target is missing, so it is fine.
  ASSERT_TRUE(sys::exists("/etc/hostname") || sys::exists("/etc/passwd"));
  make_symlink("/etc/passwd", rootfs_ + "/passwd");
  make_symlink("../../../../etc/hostname", rootfs_ + "/hostname");
  EXPECT_FALSE(check_volume_target(rootfs_, "/passwd"));
  EXPECT_FALSE(check_volume_target(rootfs_, "/hostname"));
}
