// Tests of storage/container_root: a stopped container's view (overlay and binds) mounted in a
// private namespace that the host never sees, and the running root's pid check. Needs root.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "storage/container_archive.hpp"
#include "storage/container_path.hpp"
#include "storage/container_root.hpp"
#include "storage/overlay_mount.hpp"

namespace berth::storage {
namespace {

class container_root_test : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-root-test-XXXXXX";
    base_ = ::mkdtemp(tmpl);
    for (const auto* dir : {"lower", "lower/etc", "upper", "work", "mnt", "vol", "ro"})
      ASSERT_FALSE(sys::make_dirs(base_ + "/" + dir));
    write(base_ + "/lower/etc/hostname", "image\n");
    write(base_ + "/vol/data", "volume");
    write(base_ + "/ro/data", "read-only");
    view_.lowers = {base_ + "/lower"};
    view_.upper = base_ + "/upper";
    view_.work = base_ + "/work";
    view_.mountpoint = base_ + "/mnt";
    view_.binds = {{base_ + "/vol", "/srv/vol", false}, {base_ + "/ro", "/ro", true}};
  }
  void TearDown() override { (void)sys::remove_all(base_); }

  static void write(const std::string& path, const std::string& text) {
    auto fd = sys::open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_TRUE(fd) << path;
    ASSERT_FALSE(sys::write_all(fd->get(), text, path));
  }

  static std::string read_in(int root_fd, const std::string& path) {
    auto fd = open_in_container(root_fd, path, O_RDONLY);
    if (!fd) return "<" + error_message(fd.error()) + ">";
    std::string out(256, '\0');
    auto n = ::read(fd->get(), out.data(), out.size());
    out.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return out;
  }

  std::string base_;
  stopped_view view_;
};

TEST_F(container_root_test, the_view_has_layers_and_binds_and_the_host_never_sees_it) {
  bool ran = false;
  auto test_thread = ::gettid();
  auto err = with_stopped_view(view_, [&](int root_fd) -> caf::error {
    ran = true;
    EXPECT_EQ(read_in(root_fd, "/etc/hostname"), "image\n");
    EXPECT_EQ(read_in(root_fd, "/srv/vol/data"), "volume");
    EXPECT_EQ(read_in(root_fd, "/ro/data"), "read-only");
    // The daemon's namespace (the waiting test thread's) has no mount at the mountpoint.
    auto host_mounts =
        sys::read_file("/proc/self/task/" + std::to_string(test_thread) + "/mountinfo");
    if (!host_mounts) return host_mounts.error();
    EXPECT_EQ(host_mounts->find(view_.mountpoint), std::string::npos);
    auto own_mounts = sys::read_file("/proc/thread-self/mountinfo");
    if (!own_mounts) return own_mounts.error();
    EXPECT_NE(own_mounts->find(view_.mountpoint), std::string::npos);
    // Writes go to the container's layer and to writable volumes; read-only binds refuse them.
    auto dir = extraction_directory(root_fd, "/srv/vol");
    EXPECT_TRUE(dir);
    return {};
  });
  ASSERT_FALSE(err) << error_message(err);
  EXPECT_TRUE(ran);
  EXPECT_FALSE(is_mount_point(view_.mountpoint));
  // The missing mount point was made in the container's layer.
  struct stat st {};
  EXPECT_EQ(::stat((base_ + "/upper/srv/vol").c_str(), &st), 0);
  // And nothing of the volume went into the layer.
  EXPECT_NE(::stat((base_ + "/upper/srv/vol/data").c_str(), &st), 0);
}

TEST_F(container_root_test, writes_reach_the_layer_and_the_volume) {
  auto err = with_stopped_view(view_, [&](int root_fd) -> caf::error {
    auto layer = open_in_container(root_fd, "/", O_RDONLY | O_DIRECTORY);
    if (!layer) return layer.error();
    unique_fd f{::openat(layer->get(), "new-file", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)};
    EXPECT_TRUE(f);
    auto vol = open_in_container(root_fd, "/srv/vol", O_RDONLY | O_DIRECTORY);
    if (!vol) return vol.error();
    unique_fd g{::openat(vol->get(), "from-cp", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)};
    EXPECT_TRUE(g);
    auto ro = open_in_container(root_fd, "/ro", O_RDONLY | O_DIRECTORY);
    if (!ro) return ro.error();
    EXPECT_LT(::openat(ro->get(), "nope", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644), 0);
    EXPECT_EQ(errno, EROFS);
    return {};
  });
  ASSERT_FALSE(err) << error_message(err);
  EXPECT_TRUE(sys::exists(base_ + "/upper/new-file"));
  EXPECT_TRUE(sys::exists(base_ + "/vol/from-cp"));
  EXPECT_FALSE(sys::exists(base_ + "/ro/nope"));
}

TEST_F(container_root_test, errors_of_the_job_come_back_and_nothing_stays_mounted) {
  auto err = with_stopped_view(
      view_, [](int) -> caf::error { return make_error(errc::not_found, "job failed"); });
  ASSERT_TRUE(err);
  EXPECT_EQ(error_message(err), "job failed");
  EXPECT_FALSE(is_mount_point(view_.mountpoint));
  view_.binds.push_back({base_ + "/missing-source", "/x", false});
  auto bad = with_stopped_view(view_, [](int) -> caf::error { return {}; });
  EXPECT_TRUE(bad);
  EXPECT_FALSE(is_mount_point(view_.mountpoint));
}

TEST(container_root_running, the_root_of_a_pid_must_be_the_containers) {
  auto own = open_running_root(::getpid(), "/");
  EXPECT_TRUE(own);
  auto other = open_running_root(::getpid(), "/tmp");
  ASSERT_FALSE(other);
  EXPECT_EQ(error_kind(other.error()), errc::conflict);
  auto none = open_running_root(0, "/");
  ASSERT_FALSE(none);
  EXPECT_EQ(error_kind(none.error()), errc::conflict);
}

} // namespace
} // namespace berth::storage
