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

using namespace berth;
using namespace berth::storage;

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

TEST_F(container_changes_test, an_empty_upper_has_no_changes) {
  auto r = container_changes(upper_, {lower_});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

} // namespace
