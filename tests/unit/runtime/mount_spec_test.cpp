// Tests runtime/mount_spec, security_options and go_text: tmpfs options, bind modes, Go's text
// conventions and --security-opt parsing.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "runtime/go_text.hpp"
#include "runtime/mount_spec.hpp"
#include "runtime/security_options.hpp"

using namespace berth;
using namespace berth::runtime;

TEST(mount_spec, tmpfs_options_merge_with_the_last_one_winning) {
  EXPECT_EQ(*tmpfs_mount_options(""),
            (std::vector<std::string>{"noexec", "nosuid", "nodev", "rprivate"}));
  EXPECT_EQ(*tmpfs_mount_options("size=64m,exec,size=128m,shared"),
            (std::vector<std::string>{"nosuid", "nodev", "exec", "size=128m", "shared"}));
  EXPECT_EQ(*merge_tmpfs_options({"defaults", "ro", "rw", "mode=755", "uid=1"}),
            (std::vector<std::string>{"rw", "mode=755", "uid=1"}));
  auto bad = merge_tmpfs_options({"bogus"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(error_message(bad.error()), "invalid tmpfs option [\"bogus\"]");
}

TEST(mount_spec, tmpfs_mount_option_string) {
  mount_config m;
  m.type = "tmpfs";
  m.read_only = true;
  m.tmpfs_mode = 01777;
  m.tmpfs_size = 64 << 20;
  m.tmpfs_options = {{"exec"}};
  EXPECT_EQ(*tmpfs_option_string(m), "ro,mode=1777,size=64m,exec");
  m = mount_config{};
  m.tmpfs_size = 1000;
  EXPECT_EQ(*tmpfs_option_string(m), "size=1000");
  m.tmpfs_size = int64_t{3} << 30;
  EXPECT_EQ(*tmpfs_option_string(m), "size=3g");
  m.tmpfs_options = {{"exec", "x", "y"}};
  EXPECT_EQ(error_message(tmpfs_option_string(m).error()), "invalid option array length");
}

TEST(mount_spec, bind_modes) {
  for (const char* ok :
       {"", "ro", "rw", "z", "Z", "ro,z", "rshared", "ro,rslave,nocopy", "cached", "delegated,ro"})
    EXPECT_TRUE(valid_bind_mode(ok)) << ok;
  for (const char* bad : {"ro,rw", "z,Z", "shared,slave", "bogus", "ro,", "nocopy,nocopy"})
    EXPECT_FALSE(valid_bind_mode(bad)) << bad;
}

TEST(go_text, quoting_numbers_and_paths) {
  EXPECT_EQ(go_quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
  EXPECT_EQ(parse_go_bool("True"), true);
  EXPECT_EQ(parse_go_bool("0"), false);
  EXPECT_FALSE(parse_go_bool("yes"));
  EXPECT_EQ(parse_go_int("-42"), -42);
  EXPECT_EQ(parse_go_int("+7"), 7);
  EXPECT_FALSE(parse_go_int("9223372036854775808"));
  EXPECT_EQ(parse_go_int("-9223372036854775808"), INT64_MIN);
  EXPECT_FALSE(parse_go_int("1e3"));
  EXPECT_EQ(clean_path(""), ".");
  EXPECT_EQ(clean_path("/a/./b/../c//"), "/a/c");
  EXPECT_EQ(clean_path("/../x"), "/x");
  EXPECT_EQ(clean_path("a/../.."), "..");
  EXPECT_EQ(clean_path("/"), "/");
}

TEST(security_options, dockerd_syntax) {
  auto o = parse_security_options({"no-new-privileges", "seccomp=unconfined", "label=disable",
                                   "apparmor=unconfined", "writable-cgroups=false"});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->no_new_privileges, true);
  EXPECT_EQ(o->seccomp, "unconfined");
  EXPECT_EQ(o->apparmor, "unconfined");
  EXPECT_EQ(o->labels, (std::vector<std::string>{"disable"}));
  EXPECT_EQ(o->writable_cgroups, false);
  o = parse_security_options({"no-new-privileges:false", "seccomp:{\"a\":1}"});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->no_new_privileges, false);
  EXPECT_EQ(o->seccomp, "{\"a\":1}");
  EXPECT_FALSE(parse_security_options({})->no_new_privileges);
  EXPECT_EQ(error_message(parse_security_options({"bogus"}).error()),
            "invalid --security-opt 1: \"bogus\"");
  EXPECT_EQ(error_message(parse_security_options({"selinux=on"}).error()),
            "invalid --security-opt 2: \"selinux=on\"");
}
