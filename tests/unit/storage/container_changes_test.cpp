// Tests storage/container_changes on real directories: an upper directory with additions,
// modifications, whiteouts and an opaque directory over a lower layer.
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "overlay_dirs_fixture.hpp"
#include "storage/container_changes.hpp"
#include "storage/upper_dir_tar.hpp"
#include "string_sink.hpp"

using namespace berth;
using namespace berth::storage;

namespace berth::storage {
// "A /path", as docker diff prints it, in test failures.
void PrintTo(const layer_change& change, std::ostream* os) {
  *os << "CAD"[static_cast<int>(change.kind)] << ' ' << change.path;
}
} // namespace berth::storage

namespace {

class container_changes_test : public storage_tests::overlay_dirs_fixture {
 protected:
  // Gives an upper directory the lower one's mode and times (only there as a parent).
  static void same_as(const std::string& upper, const std::string& lower) {
    struct stat st {};
    ASSERT_EQ(::stat(lower.c_str(), &st), 0);
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    ASSERT_EQ(::utimensat(AT_FDCWD, upper.c_str(), times, 0), 0);
  }
  // How many entries a commit of the upper directory writes.
  uint64_t committed_entries(const std::vector<std::string>& lowers) const {
    test::string_sink sink;
    auto r = write_upper_dir_tar(upper_, lowers, sink);
    EXPECT_TRUE(r) << (r ? "" : error_message(r.error()));
    return r ? r->entries : 0;
  }
};

TEST_F(container_changes_test, reports_added_modified_and_deleted_like_dockerd) {
  dir(lower_ + "/etc");
  file(lower_ + "/etc/group");
  file(lower_ + "/etc/passwd");
  dir(lower_ + "/var/lib");
  file(lower_ + "/var/lib/old");
  dir(lower_ + "/opt/app");
  file(lower_ + "/opt/app/a");

  file(upper_ + "/x"); // added at the root
  dir(upper_ + "/etc");
  ASSERT_EQ(::mknod((upper_ + "/etc/group").c_str(), S_IFCHR | 0000, makedev(0, 0)), 0);
  file(upper_ + "/etc/hostname"); // the runtime's mount target: dockerd's init layer, not shown
  dir(upper_ + "/proc");
  file(upper_ + "/etc/passwd", "changed"); // modified
  dir(upper_ + "/d");                      // added directory
  dir(upper_ + "/var/lib");
  file(upper_ + "/var/lib/new"); // added deep: parent reported
  same_as(upper_ + "/var", lower_ + "/var");
  same_as(upper_ + "/var/lib", lower_ + "/var/lib");
  dir(upper_ + "/opt/app"); // opaque: replaces the lower dir
  ASSERT_EQ(::setxattr((upper_ + "/opt/app").c_str(), "trusted.overlay.opaque", "y", 1, 0), 0);
  file(upper_ + "/opt/app/b");
  same_as(upper_ + "/opt", lower_ + "/opt");

  auto r = container_changes(upper_, {lower_});
  ASSERT_TRUE(r) << berth::error_message(r.error());
  std::vector<layer_change> expected{
      {"/d", change_kind::added},           {"/etc", change_kind::modified},
      {"/etc/group", change_kind::deleted}, {"/etc/passwd", change_kind::modified},
      {"/opt", change_kind::modified},      {"/opt/app", change_kind::deleted},
      {"/opt/app/b", change_kind::added},   {"/var/lib", change_kind::modified},
      {"/var/lib/new", change_kind::added}, {"/x", change_kind::added},
  };
  EXPECT_EQ(*r, expected);
}

TEST_F(container_changes_test, a_symlink_in_the_lower_layer_is_not_followed) {
  ASSERT_EQ(::symlink("/", (lower_ + "/link").c_str()), 0);
  dir(upper_ + "/link2");
  file(upper_ + "/link2/etc"); // would exist as /etc under a followed "/" link
  auto r = container_changes(upper_, {lower_});
  ASSERT_TRUE(r);
  std::vector<layer_change> expected{{"/link2", change_kind::added},
                                     {"/link2/etc", change_kind::added}};
  EXPECT_EQ(*r, expected);
}

TEST_F(container_changes_test, reads_the_lower_layers_as_overlayfs_merges_them) {
  // The top lower layer makes /opt opaque: the bottom one's /opt/conf is hidden, so the
  // container's /opt/conf is an addition. A whiteout of /srv in the top layer hides /srv/x too.
  auto top = dir_ + "/top";
  dir(top + "/opt");
  opaque(top + "/opt");
  dir(lower_ + "/opt");
  file(lower_ + "/opt/conf");
  dir(lower_ + "/srv");
  file(lower_ + "/srv/x");
  whiteout(top + "/srv");
  dir(upper_ + "/opt");
  file(upper_ + "/opt/conf");
  dir(upper_ + "/srv");
  opaque(upper_ + "/srv");
  file(upper_ + "/srv/x");
  auto r = container_changes(upper_, {top, lower_});
  ASSERT_TRUE(r) << berth::error_message(r.error());
  std::vector<layer_change> expected{{"/opt", change_kind::modified},
                                     {"/opt/conf", change_kind::added},
                                     {"/srv", change_kind::added},
                                     {"/srv/x", change_kind::added}};
  EXPECT_EQ(*r, expected);
}

TEST_F(container_changes_test, runtime_mount_parents_are_no_change_when_the_image_has_none) {
  // An image with no /etc or /dev: runc makes them for its mount targets, dockerd's init layer
  // holds them, and a commit writes nothing for them.
  dir(lower_ + "/bin");
  dir(upper_ + "/etc");
  file(upper_ + "/etc/hosts", "");
  file(upper_ + "/etc/hostname", "");
  file(upper_ + "/etc/resolv.conf", "");
  dir(upper_ + "/dev/pts");
  dir(upper_ + "/proc");
  auto r = container_changes(upper_, {lower_});
  ASSERT_TRUE(r) << berth::error_message(r.error());
  EXPECT_TRUE(r->empty()) << r->front().path;
  EXPECT_EQ(committed_entries({lower_}), 0u);
  // A file added in /etc brings the directory along, in the diff as in the commit.
  file(upper_ + "/etc/motd");
  r = container_changes(upper_, {lower_});
  ASSERT_TRUE(r);
  std::vector<layer_change> expected{{"/etc", change_kind::modified},
                                     {"/etc/motd", change_kind::added}};
  EXPECT_EQ(*r, expected);
  EXPECT_EQ(committed_entries({lower_}), 2u); // etc/, etc/motd
}

TEST_F(container_changes_test,
       a_directory_inside_an_opaque_one_is_reported_as_the_commit_writes_it) {
  // `rm -rf /app && mkdir -p /app/data` over an image with /app/data of the same mode: the new
  // data/ is no copy-up (the commit writes it); it existed in the image, so it is modified.
  dir(lower_ + "/app/data");
  dir(upper_ + "/app");
  opaque(upper_ + "/app");
  dir(upper_ + "/app/data");
  auto r = container_changes(upper_, {lower_});
  ASSERT_TRUE(r) << berth::error_message(r.error());
  std::vector<layer_change> expected{{"/app", change_kind::deleted},
                                     {"/app/data", change_kind::modified}};
  EXPECT_EQ(*r, expected);
  EXPECT_EQ(committed_entries({lower_}), 3u); // app/, app/.wh..wh..opq, app/data/
}

TEST_F(container_changes_test, an_empty_upper_has_no_changes) {
  auto r = container_changes(upper_, {lower_});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

} // namespace
