// Tests runtime/user_lookup against temporary root filesystems, including a symlinked
// /etc/passwd that points outside the root.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "runtime/user_lookup.hpp"

using namespace berth;
using namespace berth::runtime;
namespace fs = std::filesystem;

namespace {

class temp_root {
 public:
  temp_root() {
    char tmpl[] = "/tmp/berth-user-lookup-XXXXXX";
    path_ = ::mkdtemp(tmpl);
    fs::create_directories(path_ / "etc");
  }
  ~temp_root() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  temp_root(const temp_root&) = delete;
  temp_root& operator=(const temp_root&) = delete;

  void write(const std::string& rel, const std::string& content) const {
    std::ofstream(path_ / rel) << content;
  }
  [[nodiscard]] std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

const char* passwd = "root:x:0:0:root:/root:/bin/sh\n"
                     "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                     "\n"
                     "  alice:x:1000:1000:Alice:/home/alice:/bin/sh  \n"
                     "broken:x:notanumber:1:::\n"
                     "bob:x:1001:100::/home/bob:/bin/sh\n"
                     "alice2:x:1000:1002::/home/alice2:/bin/sh\n";

const char* group = "root:x:0:root\n"
                    "wheel:x:10:root,alice\n"
                    "users:x:100:bob\n"
                    "alice:x:1000:\n"
                    "audio:x:29:alice,bob\n"
                    "staff:x:50:\n";

caf::expected<resolved_user> lookup(const temp_root& root, const std::string& user,
                                    const std::vector<std::string>& group_add = {}) {
  return resolve_user(root.path(), user, group_add);
}

std::string lookup_error(const temp_root& root, const std::string& user,
                         const std::vector<std::string>& group_add = {}) {
  auto u = lookup(root, user, group_add);
  return u ? "(no error)" : error_message(u.error());
}

} // namespace

TEST(user_lookup, resolves_names_numbers_and_groups) {
  temp_root root;
  root.write("etc/passwd", passwd);
  root.write("etc/group", group);
  struct row {
    std::string user;
    uint32_t uid, gid;
    std::vector<uint32_t> gids;
    std::string home;
  };
  std::vector<row> rows = {
      {"", 0, 0, {0, 0, 10}, "/root"}, // root, in groups root and wheel
      {"root", 0, 0, {0, 0, 10}, "/root"},
      {"0", 0, 0, {0, 0, 10}, "/root"},
      {"alice", 1000, 1000, {1000, 10, 29}, "/home/alice"},
      {"1000", 1000, 1000, {1000, 10, 29}, "/home/alice"}, // the first entry with uid 1000
      {"bob", 1001, 100, {100, 100, 29}, "/home/bob"},
      {"alice:staff", 1000, 50, {50}, "/home/alice"}, // explicit group: no supplementary groups
      {"alice:29", 1000, 29, {29}, "/home/alice"},
      {"alice:4242", 1000, 4242, {4242}, "/home/alice"},
      {"4242", 4242, 0, {0}, "/"}, // numeric uid without an entry
      {"4242:4343", 4242, 4343, {4343}, "/"},
      {"daemon", 1, 1, {1}, "/usr/sbin"},
  };
  for (const auto& r : rows) {
    auto u = lookup(root, r.user);
    ASSERT_TRUE(u) << r.user << ": " << error_message(u.error());
    EXPECT_EQ(u->uid, r.uid) << r.user;
    EXPECT_EQ(u->gid, r.gid) << r.user;
    EXPECT_EQ(u->additional_gids, r.gids) << r.user;
    EXPECT_EQ(u->home, r.home) << r.user;
  }
}

TEST(user_lookup, group_add_by_name_or_number) {
  temp_root root;
  root.write("etc/passwd", passwd);
  root.write("etc/group", group);
  auto u = lookup(root, "bob", {"audio", "50", "777", "staff"});
  ASSERT_TRUE(u) << error_message(u.error());
  EXPECT_EQ(u->additional_gids, (std::vector<uint32_t>{100, 100, 29, 29, 50, 777}));
  EXPECT_EQ(lookup_error(root, "bob", {"nosuchgroup"}),
            "Unable to find group nosuchgroup: no matching entries in group file");
}

TEST(user_lookup, errors_like_dockerd) {
  temp_root root;
  root.write("etc/passwd", passwd);
  root.write("etc/group", group);
  EXPECT_EQ(lookup_error(root, "nobody"),
            "unable to find user nobody: no matching entries in passwd file");
  EXPECT_EQ(lookup_error(root, "alice:nogroup"),
            "unable to find group nogroup: no matching entries in group file");
  EXPECT_EQ(lookup_error(root, "-5"), "uids and gids must be in range 0-2147483647");
  EXPECT_EQ(lookup_error(root, "5:99999999999"), "uids and gids must be in range 0-2147483647");
  EXPECT_EQ(lookup_error(root, "broken"),
            "unable to find user broken: no matching entries in passwd file");
}

TEST(user_lookup, missing_files) {
  temp_root root; // no /etc/passwd, no /etc/group
  auto u = lookup(root, "");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->uid, 0u);
  EXPECT_EQ(u->gid, 0u);
  EXPECT_EQ(u->home, "/");
  u = lookup(root, "1000:1000", {"44"});
  ASSERT_TRUE(u);
  EXPECT_EQ(u->additional_gids, (std::vector<uint32_t>{1000, 44}));
  EXPECT_EQ(lookup_error(root, "alice"),
            "unable to find user alice: no matching entries in passwd file");
  EXPECT_FALSE(resolve_user("/no/such/rootfs", "", {}));
}

TEST(user_lookup, symlinks_resolve_inside_the_root) {
  // /etc/passwd → /etc/passwd-<unique>: an absolute link that, followed on the host, would read
  // a file of the host; inside the root it names <root>/etc/passwd-<unique>.
  auto name = "passwd-berth-test-" + std::to_string(::getpid());
  auto host_file = "/etc/" + name;
  ASSERT_FALSE(fs::exists(host_file));
  std::ofstream(host_file) << "root:x:0:0:root:/HOST:/bin/sh\nhostonly:x:9:9::/h:/bin/sh\n";
  temp_root root;
  root.write("etc/" + name, "root:x:0:0:root:/inside:/bin/sh\nonlyinside:x:7:7::/in:/bin/sh\n");
  fs::create_symlink(host_file, fs::path(root.path()) / "etc/passwd");
  auto u = lookup(root, "");
  ASSERT_TRUE(u) << error_message(u.error());
  EXPECT_EQ(u->home, "/inside");
  EXPECT_TRUE(lookup(root, "onlyinside"));
  EXPECT_EQ(lookup_error(root, "hostonly"),
            "unable to find user hostonly: no matching entries in passwd file");
  // Without the file inside the root, the link dangles: no entries, never the host's file.
  temp_root dangling;
  fs::create_symlink(host_file, fs::path(dangling.path()) / "etc/passwd");
  EXPECT_EQ(lookup_error(dangling, "hostonly"),
            "unable to find user hostonly: no matching entries in passwd file");
  // ../ climbing stops at the root as well.
  temp_root climb;
  climb.write("etc/inside", "root:x:0:0:root:/climbed:/bin/sh\n");
  fs::create_symlink("../../../../../../../etc/inside", fs::path(climb.path()) / "etc/passwd");
  u = lookup(climb, "");
  ASSERT_TRUE(u) << error_message(u.error());
  EXPECT_EQ(u->home, "/climbed");
  ::unlink(host_file.c_str());
}

TEST(user_lookup, refuses_special_and_huge_files) {
  temp_root fifo;
  ASSERT_EQ(::mkfifo((fs::path(fifo.path()) / "etc/passwd").c_str(), 0644), 0);
  EXPECT_FALSE(lookup(fifo, "")); // not a regular file: refused, never blocks
  temp_root dir;
  fs::create_directories(fs::path(dir.path()) / "etc/passwd");
  EXPECT_FALSE(lookup(dir, ""));
  temp_root huge;
  std::string big(5 << 20, 'x');
  huge.write("etc/passwd", big);
  auto u = lookup(huge, "");
  ASSERT_FALSE(u);
  EXPECT_NE(error_message(u.error()).find("larger than 4 MiB"), std::string::npos);
}
