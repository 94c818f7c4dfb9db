// Tests storage/copy_layer: a COPY/ADD step written into a fresh layer directory from a fake
// context over fake lower layers, as dockerd's performCopy does it (file vs directory targets,
// directory contents, wildcards, modes, times, --chown, ADD's archive unpacking), and never a
// write outside the layer directory.
#include <cmath>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "layer_unpack_fixture.hpp"
#include "storage/context_sources.hpp"
#include "storage/copy_layer.hpp"
#include "tar_builder.hpp"

using namespace berth;
using namespace berth::storage;
using namespace berth::test;

namespace {

constexpr time_t file_time = 1'500'000'000;
constexpr long file_nsec = 123'456'789;

class copy_layer_test : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-copy-layer-test-XXXXXX";
    base_ = ::mkdtemp(tmpl);
    for (const auto* dir : {"ctx", "top", "bottom", "out", "scratch", "outside"})
      ASSERT_FALSE(sys::make_dirs(base_ + "/" + dir));
    ctx_ = base_ + "/ctx";
    top_ = base_ + "/top";
    bottom_ = base_ + "/bottom";
    out_ = base_ + "/out";
    outside_ = base_ + "/outside";
    auto fd = sys::open(ctx_, O_PATH | O_DIRECTORY);
    ASSERT_TRUE(fd);
    ctx_fd_ = std::move(*fd);
  }
  void TearDown() override { (void)sys::remove_all(base_); }

  /// A file below `root`, with `mode` (chmod, so setuid bits stay) and a fixed mtime.
  static void file(const std::string& root, const std::string& rel, const std::string& data,
                   mode_t mode = 0644) {
    auto path = root + "/" + rel;
    ASSERT_FALSE(sys::make_dirs(path.substr(0, path.rfind('/'))));
    ASSERT_FALSE(sys::write_file_atomic(path, data, mode));
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    set_time(path);
  }
  static void dir(const std::string& root, const std::string& rel, mode_t mode = 0755) {
    auto path = root + "/" + rel;
    ASSERT_FALSE(sys::make_dirs(path));
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }
  static void set_time(const std::string& path) {
    struct timespec times[2] = {{file_time, file_nsec}, {file_time, file_nsec}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW), 0) << path;
  }

  /// Resolves `sources` as the build does, then writes the layer.
  caf::error copy(std::vector<std::string> sources, std::string dest, copy_owner owner = {},
                  bool add = false) {
    auto resolved = resolve_sources(ctx_fd_.get(), add ? "ADD" : "COPY", sources, dest);
    if (!resolved) return resolved.error();
    return write(std::move(*resolved), std::move(dest), owner, add);
  }
  caf::error write(std::vector<context_source> sources, std::string dest, copy_owner owner = {},
                   bool add = false) {
    copy_layer_request req;
    req.source_root_fd = ctx_fd_.get();
    req.sources = std::move(sources);
    req.dest = std::move(dest);
    req.owner = owner;
    req.extract_archives = add;
    req.lower_dirs = {top_, bottom_};
    req.out_dir = out_;
    req.scratch_dir = base_ + "/scratch";
    req.limits = limits_;
    return write_copy_layer(req);
  }

  std::string out(const std::string& rel) const { return out_ + rel; }
  static std::string contents(const std::string& path) {
    auto data = sys::read_file(path);
    EXPECT_TRUE(data) << path;
    return data ? *data : std::string{};
  }

  /// What the temp base holds: a write outside the layer would add to it.
  static std::set<std::string> base_listing() {
    return {"ctx", "top", "bottom", "out", "scratch", "outside"};
  }

  std::string base_, ctx_, top_, bottom_, out_, outside_;
  unique_fd ctx_fd_;
  unpack_limits limits_ = copy_layer_request{}.limits;
};

#define ASSERT_COPIED(expr)                                                                        \
  do {                                                                                             \
    auto copy_err_ = (expr);                                                                       \
    ASSERT_FALSE(copy_err_) << error_message(copy_err_);                                           \
  } while (false)

} // namespace

TEST_F(copy_layer_test, file_to_a_file_path_creates_parents) {
  file(ctx_, "a.txt", "alpha");
  ASSERT_COPIED(copy({"a.txt"}, "/etc/app/conf"));
  EXPECT_EQ(contents(out("/etc/app/conf")), "alpha");
  EXPECT_EQ(list_dir(out_), (std::set<std::string>{"etc"}));
  for (const auto* parent : {"/etc", "/etc/app"}) {
    auto st = lstat_of(out(parent));
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0755u) << parent;
    EXPECT_EQ(st.st_uid, 0u);
  }
}

TEST_F(copy_layer_test, file_into_a_directory) {
  file(ctx_, "a.txt", "alpha");
  // A trailing '/' makes the destination a directory.
  ASSERT_COPIED(copy({"a.txt"}, "/app/"));
  EXPECT_EQ(contents(out("/app/a.txt")), "alpha");
  // So does a directory in a lower layer, which keeps its mode, owner and time in the new layer.
  dir(bottom_, "srv", 0710);
  ASSERT_EQ(::chown((bottom_ + "/srv").c_str(), 42, 43), 0);
  set_time(bottom_ + "/srv");
  ASSERT_COPIED(copy({"a.txt"}, "/srv"));
  EXPECT_EQ(contents(out("/srv/a.txt")), "alpha");
  auto st = lstat_of(out("/srv"));
  EXPECT_EQ(st.st_mode & 07777, 0710u);
  EXPECT_EQ(st.st_uid, 42u);
  EXPECT_EQ(st.st_gid, 43u);
  // A file of that name in a lower layer is replaced, not entered.
  file(bottom_, "data", "old");
  ASSERT_COPIED(copy({"a.txt"}, "/data"));
  EXPECT_EQ(contents(out("/data")), "alpha");
}

TEST_F(copy_layer_test, a_file_replaces_what_the_layer_has_there) {
  file(ctx_, "a.txt", "alpha");
  file(out_, "x", "old");
  ASSERT_COPIED(copy({"a.txt"}, "/x"));
  EXPECT_EQ(contents(out("/x")), "alpha");
  // A symlink there is followed as dockerd follows it in the container's root: the file lands
  // where it points, inside the layer, and the link stays.
  ASSERT_EQ(::symlink("/etc/passwd", out("/y").c_str()), 0);
  ASSERT_COPIED(copy({"a.txt"}, "/y"));
  EXPECT_EQ(read_link(out("/y")), "/etc/passwd");
  EXPECT_EQ(contents(out("/etc/passwd")), "alpha");
  EXPECT_EQ(lstat_of(out("/etc")).st_mode & 07777, 0755u);
}

TEST_F(copy_layer_test, a_directory_is_copied_as_its_contents) {
  file(ctx_, "src/main.c", "int main;", 0600);
  file(ctx_, "src/deep/x.h", "#pragma once");
  ASSERT_EQ(::symlink("main.c", (ctx_ + "/src/link").c_str()), 0);
  ASSERT_EQ(::chmod((ctx_ + "/src/deep").c_str(), 0750), 0);
  set_time(ctx_ + "/src/deep");
  ASSERT_COPIED(copy({"src"}, "/app"));
  EXPECT_EQ(list_dir(out("/app")), (std::set<std::string>{"main.c", "deep", "link"}));
  EXPECT_EQ(contents(out("/app/main.c")), "int main;");
  EXPECT_EQ(contents(out("/app/deep/x.h")), "#pragma once");
  EXPECT_EQ(lstat_of(out("/app/main.c")).st_mode & 07777, 0600u);
  // Symlinks stay symlinks; a directory's mode and time are the source's.
  EXPECT_TRUE(S_ISLNK(lstat_of(out("/app/link")).st_mode));
  EXPECT_EQ(read_link(out("/app/link")), "main.c");
  auto deep = lstat_of(out("/app/deep"));
  EXPECT_EQ(deep.st_mode & 07777, 0750u);
  EXPECT_EQ(deep.st_mtim.tv_sec, file_time);
  EXPECT_EQ(deep.st_mtim.tv_nsec, file_nsec);
}

TEST_F(copy_layer_test, hard_links_inside_a_copied_directory_stay_hard_links) {
  file(ctx_, "src/a", "shared");
  file(ctx_, "src/single", "one");
  dir(ctx_, "src/sub");
  ASSERT_EQ(::link((ctx_ + "/src/a").c_str(), (ctx_ + "/src/sub/b").c_str()), 0);
  ASSERT_COPIED(copy({"src"}, "/app", {1000, 1000}));
  auto a = lstat_of(out("/app/a"));
  auto b = lstat_of(out("/app/sub/b"));
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(a.st_nlink, 2u);
  EXPECT_EQ(contents(out("/app/sub/b")), "shared");
  EXPECT_EQ(b.st_uid, 1000u);
  EXPECT_EQ(lstat_of(out("/app/single")).st_nlink, 1u);
  // A second COPY of the same tree makes copies of its own, not links into the first one.
  ASSERT_COPIED(copy({"src"}, "/again"));
  EXPECT_NE(lstat_of(out("/again/a")).st_ino, a.st_ino);
  EXPECT_EQ(lstat_of(out("/again/a")).st_ino, lstat_of(out("/again/sub/b")).st_ino);
}

TEST_F(copy_layer_test, file_capabilities_are_copied_after_the_chown) {
  // security.capability v2: cap_net_raw permitted and effective.
  const std::string capability{"\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00"
                               "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
                               20};
  file(ctx_, "ping", "binary", 0755);
  if (::setxattr((ctx_ + "/ping").c_str(), "security.capability", capability.data(),
                 capability.size(), 0) != 0)
    GTEST_SKIP() << "this filesystem has no security.capability";
  ASSERT_COPIED(copy({"ping"}, "/bin/ping", {1000, 1000}));
  char value[64];
  auto n = ::getxattr(out("/bin/ping").c_str(), "security.capability", value, sizeof value);
  ASSERT_EQ(n, static_cast<ssize_t>(capability.size()));
  EXPECT_EQ(std::string(value, static_cast<size_t>(n)), capability);
  EXPECT_EQ(lstat_of(out("/bin/ping")).st_uid, 1000u);
}

TEST_F(copy_layer_test, wildcards_copy_every_match_into_the_directory) {
  file(ctx_, "a.txt", "a");
  file(ctx_, "b.txt", "b");
  file(ctx_, "c.md", "c");
  file(ctx_, "dir/d.txt", "d");
  ASSERT_COPIED(copy({"*.txt", "dir/*.txt"}, "/w/"));
  EXPECT_EQ(list_dir(out("/w")), (std::set<std::string>{"a.txt", "b.txt", "d.txt"}));
  EXPECT_EQ(contents(out("/w/d.txt")), "d");
}

TEST_F(copy_layer_test, modes_and_times_are_kept) {
  file(ctx_, "suid", "x", 04755);
  file(ctx_, "sticky", "y", 01640);
  file(ctx_, "private", "z", 0400);
  ASSERT_COPIED(copy({"suid", "sticky", "private"}, "/bin/"));
  EXPECT_EQ(lstat_of(out("/bin/suid")).st_mode & 07777, 04755u);
  EXPECT_EQ(lstat_of(out("/bin/sticky")).st_mode & 07777, 01640u);
  EXPECT_EQ(lstat_of(out("/bin/private")).st_mode & 07777, 0400u);
  auto st = lstat_of(out("/bin/suid"));
  EXPECT_EQ(st.st_mtim.tv_sec, file_time);
  EXPECT_EQ(st.st_mtim.tv_nsec, file_nsec);
}

TEST_F(copy_layer_test, everything_copied_belongs_to_root_or_the_chown_owner) {
  file(ctx_, "tree/f", "f");
  ASSERT_EQ(::symlink("f", (ctx_ + "/tree/l").c_str()), 0);
  dir(ctx_, "tree/sub");
  ASSERT_EQ(::chown((ctx_ + "/tree/f").c_str(), 1000, 1000), 0);
  ASSERT_COPIED(copy({"tree"}, "/root-owned/"));
  EXPECT_EQ(lstat_of(out("/root-owned/f")).st_uid, 0u);
  EXPECT_EQ(lstat_of(out("/root-owned/f")).st_gid, 0u);

  ASSERT_COPIED(copy({"tree"}, "/owned/", {.uid = 1234, .gid = 5678}));
  for (const auto* rel : {"/owned/f", "/owned/l", "/owned/sub"}) {
    auto st = lstat_of(out(rel));
    EXPECT_EQ(st.st_uid, 1234u) << rel;
    EXPECT_EQ(st.st_gid, 5678u) << rel;
  }
  // chown before chmod: a setuid bit survives --chown.
  file(ctx_, "suid", "x", 04755);
  ASSERT_COPIED(copy({"suid"}, "/s", {.uid = 7, .gid = 8}));
  auto st = lstat_of(out("/s"));
  EXPECT_EQ(st.st_mode & 07777, 04755u);
  EXPECT_EQ(st.st_uid, 7u);
}

TEST_F(copy_layer_test, a_lower_symlink_on_the_way_never_leads_outside_the_layer) {
  file(ctx_, "a.txt", "alpha");
  // The image's /etc and /var point out of the layer, absolutely and relatively: followed inside
  // the image's root ("/" is the root, ".." stops there), as dockerd does.
  ASSERT_EQ(::symlink(outside_.c_str(), (bottom_ + "/etc").c_str()), 0);
  ASSERT_EQ(::symlink("../../../../../outside", (top_ + "/var").c_str()), 0);
  ASSERT_COPIED(copy({"a.txt"}, "/etc/conf"));
  ASSERT_COPIED(copy({"a.txt"}, "/var/"));
  EXPECT_EQ(list_dir(outside_), std::set<std::string>{});
  EXPECT_EQ(list_dir(base_), base_listing());
  EXPECT_EQ(contents(out(outside_ + "/conf")), "alpha");
  EXPECT_EQ(contents(out("/outside/a.txt")), "alpha");
  EXPECT_EQ(list_dir(out_), (std::set<std::string>{"tmp", "outside"}));
}

TEST_F(copy_layer_test, a_symlink_copied_earlier_never_redirects_a_later_write) {
  dir(ctx_, "first");
  ASSERT_EQ(::symlink(outside_.c_str(), (ctx_ + "/first/d").c_str()), 0);
  file(ctx_, "tree/d/x", "x");
  // First the symlink "d" lands in /dst; then the second tree writes /dst/d/x.
  ASSERT_COPIED(copy({"first", "tree"}, "/dst/"));
  EXPECT_EQ(list_dir(outside_), std::set<std::string>{});
  EXPECT_TRUE(S_ISDIR(lstat_of(out("/dst/d")).st_mode));
  EXPECT_EQ(contents(out("/dst/d/x")), "x");
}

TEST_F(copy_layer_test, add_unpacks_a_local_archive) {
  auto tar_entries = std::vector<tar_entry>{
      dir_entry("pkg", 0750), file_entry("pkg/hi", "hi", 0640), symlink_entry("pkg/ln", "hi")};
  file(ctx_, "plain.tar", make_tar(tar_entries));
  file(ctx_, "app.tar.gz", make_tar(tar_entries, tar_format::pax, compression::gzip));
  file(ctx_, "app.tar.zst", compress(make_tar(tar_entries), compression::zstd));
  file(ctx_, "notes.txt", "not an archive");
  ASSERT_COPIED(copy({"app.tar.gz"}, "/opt/", {}, true));
  EXPECT_EQ(contents(out("/opt/pkg/hi")), "hi");
  EXPECT_EQ(lstat_of(out("/opt/pkg")).st_mode & 07777, 0750u);
  EXPECT_EQ(lstat_of(out("/opt/pkg/hi")).st_mode & 07777, 0640u);
  EXPECT_EQ(read_link(out("/opt/pkg/ln")), "hi");
  EXPECT_EQ(lstat_of(out("/opt/pkg/hi")).st_mtim.tv_sec, 1'600'000'000);
  ASSERT_COPIED(copy({"app.tar.zst"}, "/zst/", {}, true));
  EXPECT_EQ(list_dir(out("/zst")), (std::set<std::string>{"pkg"}));
  ASSERT_COPIED(copy({"plain.tar", "app.tar.zst"}, "/more/", {}, true));
  EXPECT_EQ(contents(out("/more/pkg/hi")), "hi");
  // The archive files themselves are not copied.
  EXPECT_EQ(list_dir(out("/more")), (std::set<std::string>{"pkg"}));
  // A file that is no archive is copied as it is; COPY never unpacks.
  ASSERT_COPIED(copy({"notes.txt"}, "/n/", {}, true));
  EXPECT_EQ(contents(out("/n/notes.txt")), "not an archive");
  ASSERT_COPIED(copy({"app.tar.gz"}, "/c/"));
  EXPECT_EQ(list_dir(out("/c")), (std::set<std::string>{"app.tar.gz"}));
  // The scratch directory is left empty for the next source.
  EXPECT_EQ(list_dir(base_ + "/scratch"), std::set<std::string>{});
}

TEST_F(copy_layer_test, add_refuses_an_archive_escaping_the_layer) {
  file(ctx_, "evil.tar",
       make_tar({symlink_entry("esc", outside_), file_entry("../../outside/pwn", "x")}));
  // An archive (its first header reads) that fails to unpack fails the step, as in dockerd.
  auto err = copy({"evil.tar"}, "/opt/", {}, true);
  ASSERT_TRUE(err);
  EXPECT_EQ(error_message(err).rfind("failed to copy files: ", 0), 0u) << error_message(err);
  EXPECT_EQ(list_dir(outside_), std::set<std::string>{});
  EXPECT_EQ(list_dir(base_ + "/scratch"), std::set<std::string>{});
}

TEST_F(copy_layer_test, missing_sources_fail_with_their_message) {
  auto err = copy({"missing.txt"}, "/x");
  ASSERT_TRUE(err);
  EXPECT_EQ(error_message(err), "COPY failed: file not found in build context or excluded by "
                                ".dockerignore: stat missing.txt: file does not exist");
  // A source gone between resolving and copying: the system error naming it.
  auto gone = write({{"gone.txt", false}}, "/x");
  ASSERT_TRUE(gone);
  EXPECT_NE(error_message(gone).find("gone.txt"), std::string::npos) << error_message(gone);
  EXPECT_EQ(error_kind(gone), errc::not_found);
  // The layer directory must exist.
  copy_layer_request req;
  req.source_root_fd = ctx_fd_.get();
  req.out_dir = base_ + "/no-such-dir";
  EXPECT_TRUE(write_copy_layer(req));
}

TEST_F(copy_layer_test, a_destination_is_a_directory_as_overlayfs_merges_the_layers) {
  dir(bottom_, "usr/lib");
  dir(bottom_, "opt");
  file(bottom_, "etc/hosts", "h");
  ASSERT_EQ(::mknod((top_ + "/opt").c_str(), S_IFCHR | 0000, makedev(0, 0)), 0);
  file(ctx_, "a.txt", "alpha");
  // A directory of the layers receives the file inside it.
  ASSERT_COPIED(copy({"a.txt"}, "/"));
  EXPECT_EQ(contents(out("/a.txt")), "alpha");
  ASSERT_COPIED(copy({"a.txt"}, "/usr/lib"));
  EXPECT_EQ(contents(out("/usr/lib/a.txt")), "alpha");
  ASSERT_FALSE(sys::remove_all(out("/usr")));
  ASSERT_COPIED(copy({"a.txt"}, "/usr/lib/"));
  EXPECT_EQ(contents(out("/usr/lib/a.txt")), "alpha");
  // Anything else is the file itself: a file, nothing, a directory whited out above.
  ASSERT_COPIED(copy({"a.txt"}, "/etc/hosts"));
  EXPECT_EQ(contents(out("/etc/hosts")), "alpha");
  ASSERT_COPIED(copy({"a.txt"}, "/missing"));
  EXPECT_EQ(contents(out("/missing")), "alpha");
  ASSERT_COPIED(copy({"a.txt"}, "/opt"));
  EXPECT_EQ(contents(out("/opt")), "alpha");
  // Without layers there is no directory yet.
  auto sources = resolve_sources(ctx_fd_.get(), "COPY", {"a.txt"}, "/usr");
  ASSERT_TRUE(sources);
  copy_layer_request req;
  req.source_root_fd = ctx_fd_.get();
  req.sources = *sources;
  req.dest = "/usr";
  req.out_dir = base_ + "/scratch";
  ASSERT_COPIED(write_copy_layer(req));
  EXPECT_EQ(contents(base_ + "/scratch/usr"), "alpha");
}

TEST_F(copy_layer_test, a_destination_through_a_symlinked_image_directory_lands_where_it_points) {
  file(ctx_, "a.txt", "alpha");
  file(ctx_, "tree/t.txt", "tree");
  // A merged-/usr image: /lib -> usr/lib, /lib64 -> /usr/lib (absolute), and an upper layer's
  // /sbin -> usr/sbin where usr/sbin is a lower layer's.
  dir(bottom_, "usr/lib", 0751);
  dir(bottom_, "usr/sbin");
  ASSERT_EQ(::chown((bottom_ + "/usr/lib").c_str(), 3, 4), 0);
  ASSERT_EQ(::symlink("usr/lib", (bottom_ + "/lib").c_str()), 0);
  ASSERT_EQ(::symlink("/usr/lib", (bottom_ + "/lib64").c_str()), 0);
  ASSERT_EQ(::symlink("usr/sbin", (top_ + "/sbin").c_str()), 0);
  ASSERT_COPIED(copy({"a.txt"}, "/lib/foo/x"));
  ASSERT_COPIED(copy({"a.txt"}, "/lib64/"));
  ASSERT_COPIED(copy({"a.txt"}, "/sbin/tool"));
  // Without a trailing '/' a symlink to a directory is a directory too; so for a directory source.
  ASSERT_COPIED(copy({"a.txt"}, "/lib"));
  ASSERT_COPIED(copy({"tree"}, "/lib64/tree"));
  EXPECT_EQ(contents(out("/usr/lib/foo/x")), "alpha");
  EXPECT_EQ(contents(out("/usr/lib/a.txt")), "alpha");
  EXPECT_EQ(contents(out("/usr/sbin/tool")), "alpha");
  EXPECT_EQ(contents(out("/usr/lib/tree/t.txt")), "tree");
  // The links stay the image's: the layer has no /lib, /lib64 or /sbin that would hide them.
  EXPECT_EQ(list_dir(out_), (std::set<std::string>{"usr"}));
  // The image's directories keep their metadata in the layer.
  auto lib = lstat_of(out("/usr/lib"));
  EXPECT_EQ(lib.st_mode & 07777, 0751u);
  EXPECT_EQ(lib.st_uid, 3u);
  EXPECT_EQ(lib.st_gid, 4u);
}

TEST_F(copy_layer_test, relative_links_resolve_from_where_they_are_and_dot_dot_stops_at_the_root) {
  file(ctx_, "a.txt", "alpha");
  dir(bottom_, "opt/app/versions/2");
  ASSERT_EQ(::symlink("versions/2", (bottom_ + "/opt/app/current").c_str()), 0);
  ASSERT_EQ(::symlink("../../../../../../../opt/app/current/..", (bottom_ + "/opt/app/up").c_str()),
            0);
  ASSERT_COPIED(copy({"a.txt"}, "/opt/app/current/"));
  ASSERT_COPIED(copy({"a.txt"}, "/opt/app/up/b.txt"));
  EXPECT_EQ(contents(out("/opt/app/versions/2/a.txt")), "alpha");
  EXPECT_EQ(contents(out("/opt/app/versions/b.txt")), "alpha");
  // A link the step itself wrote earlier is followed the same way, inside the layer.
  dir(ctx_, "links");
  ASSERT_EQ(::symlink(outside_.c_str(), (ctx_ + "/links/l").c_str()), 0);
  ASSERT_COPIED(copy({"links"}, "/d/"));
  ASSERT_COPIED(copy({"a.txt"}, "/d/l/"));
  EXPECT_EQ(read_link(out("/d/l")), outside_);
  EXPECT_EQ(contents(out(outside_ + "/a.txt")), "alpha");
  EXPECT_EQ(list_dir(outside_), std::set<std::string>{});
}

TEST_F(copy_layer_test, whiteouts_and_opaque_directories_hide_lower_links) {
  file(ctx_, "a.txt", "alpha");
  dir(bottom_, "usr/lib");
  ASSERT_EQ(::symlink("usr/lib", (bottom_ + "/lib").c_str()), 0);
  ASSERT_EQ(::mknod((top_ + "/lib").c_str(), S_IFCHR | 0000, makedev(0, 0)), 0);
  ASSERT_COPIED(copy({"a.txt"}, "/lib/x"));
  EXPECT_TRUE(S_ISDIR(lstat_of(out("/lib")).st_mode));
  EXPECT_EQ(contents(out("/lib/x")), "alpha");
  // An opaque directory above hides the lower one's link; a directory above a lower link
  // hides it too (a non-directory ends the merge).
  ASSERT_EQ(::symlink("/usr/lib", (bottom_ + "/opt").c_str()), 0);
  dir(bottom_, "srv");
  ASSERT_EQ(::symlink("/usr/lib", (bottom_ + "/srv/link").c_str()), 0);
  dir(top_, "srv");
  ASSERT_EQ(::setxattr((top_ + "/srv").c_str(), "trusted.overlay.opaque", "y", 1, 0), 0);
  dir(top_, "opt");
  ASSERT_COPIED(copy({"a.txt"}, "/srv/link/"));
  ASSERT_COPIED(copy({"a.txt"}, "/opt/"));
  EXPECT_EQ(contents(out("/srv/link/a.txt")), "alpha");
  EXPECT_EQ(contents(out("/opt/a.txt")), "alpha");
  EXPECT_EQ(list_dir(out("/usr")), std::set<std::string>{});
}

TEST_F(copy_layer_test, hostile_image_links_never_lead_out_of_the_layer) {
  file(ctx_, "a.txt", "alpha");
  file(ctx_, "tree/t", "t");
  ASSERT_EQ(::symlink("../../../../../../..", (bottom_ + "/up").c_str()), 0);
  ASSERT_EQ(::symlink((outside_ + "/../outside").c_str(), (bottom_ + "/abs").c_str()), 0);
  ASSERT_EQ(::symlink("/proc/self/root/etc", (top_ + "/magic").c_str()), 0);
  ASSERT_COPIED(copy({"a.txt"}, "/up/x"));
  ASSERT_COPIED(copy({"a.txt"}, "/abs/"));
  ASSERT_COPIED(copy({"tree"}, "/magic"));
  EXPECT_EQ(contents(out("/x")), "alpha");
  EXPECT_EQ(contents(out(outside_ + "/a.txt")), "alpha");
  EXPECT_EQ(contents(out("/proc/self/root/etc/t")), "t");
  EXPECT_EQ(list_dir(outside_), std::set<std::string>{});
  EXPECT_EQ(list_dir(base_), base_listing());

  // Loops end with dockerd's error, and nothing written.
  ASSERT_EQ(::symlink("loop", (bottom_ + "/loop").c_str()), 0);
  ASSERT_EQ(::symlink("/b/x", (bottom_ + "/a").c_str()), 0);
  ASSERT_EQ(::symlink("../a/y", (top_ + "/b").c_str()), 0);
  for (const auto* dest : {"/loop/f", "/a/", "/loop"}) {
    auto before = list_dir(out_);
    auto err = copy({"a.txt"}, dest);
    ASSERT_TRUE(err) << dest;
    EXPECT_EQ(error_message(err), std::string{"evalSymlinksInScope: too many links in "} + dest);
    EXPECT_EQ(list_dir(out_), before);
  }
}

TEST_F(copy_layer_test, a_non_directory_on_the_destination_path_fails_as_in_dockerd) {
  file(ctx_, "a.txt", "alpha");
  file(ctx_, "tree/t", "t");
  file(bottom_, "etc/hosts", "h");
  file(out_, "written", "w");
  for (const auto& [source, dest] : std::vector<std::pair<std::string, std::string>>{
           {"a.txt", "/etc/hosts/x"}, {"tree", "/etc/hosts"}, {"a.txt", "/written/x"}}) {
    auto err = copy({source}, dest);
    ASSERT_TRUE(err) << dest;
    EXPECT_NE(error_message(err).find(": Not a directory"), std::string::npos)
        << error_message(err);
  }
  EXPECT_FALSE(sys::exists(out("/etc/hosts")));
  EXPECT_EQ(contents(out("/written")), "w");
}

TEST_F(copy_layer_test, chown_owns_the_directories_the_copy_creates_and_no_others) {
  file(ctx_, "a.txt", "alpha");
  file(ctx_, "tree/t", "t");
  dir(bottom_, "srv", 0750);
  ASSERT_EQ(::chown((bottom_ + "/srv").c_str(), 42, 43), 0);
  copy_owner owner{.uid = 1234, .gid = 5678};
  // A file: every directory created on the way is the owner's (dockerd's MkdirAllAndChown).
  ASSERT_COPIED(copy({"a.txt"}, "/srv/new/deeper/f", owner));
  auto srv = lstat_of(out("/srv"));
  EXPECT_EQ(srv.st_uid, 42u);
  EXPECT_EQ(srv.st_gid, 43u);
  EXPECT_EQ(srv.st_mode & 07777, 0750u);
  for (const auto* rel : {"/srv/new", "/srv/new/deeper", "/srv/new/deeper/f"}) {
    auto st = lstat_of(out(rel));
    EXPECT_EQ(st.st_uid, 1234u) << rel;
    EXPECT_EQ(st.st_gid, 5678u) << rel;
  }
  EXPECT_EQ(lstat_of(out("/srv/new")).st_mode & 07777, 0755u);
  // A directory: the destination directory is the owner's, the ones above it root's (dockerd's
  // CopyWithTar creates them root-owned, then chowns what it copied).
  ASSERT_COPIED(copy({"tree"}, "/a/b/c", owner));
  for (const auto* rel : {"/a", "/a/b"}) {
    auto st = lstat_of(out(rel));
    EXPECT_EQ(st.st_uid, 0u) << rel;
    EXPECT_EQ(st.st_mode & 07777, 0755u) << rel;
  }
  for (const auto* rel : {"/a/b/c", "/a/b/c/t"}) {
    auto st = lstat_of(out(rel));
    EXPECT_EQ(st.st_uid, 1234u) << rel;
    EXPECT_EQ(st.st_gid, 5678u) << rel;
  }
  // An existing destination directory keeps its owner.
  ASSERT_COPIED(copy({"tree"}, "/srv", owner));
  EXPECT_EQ(lstat_of(out("/srv")).st_uid, 42u);
  EXPECT_EQ(lstat_of(out("/srv/t")).st_uid, 1234u);
}

TEST_F(copy_layer_test, add_keeps_an_archives_owners_modes_and_times) {
  auto owned = [](tar_entry e) {
    e.uid = 1234;
    e.gid = 5678;
    e.mtime = 1'400'000'000;
    return e;
  };
  file(ctx_, "owned.tar",
       make_tar({owned(dir_entry("pkg", 0750)), owned(file_entry("pkg/hi", "hi", 04711)),
                 owned(symlink_entry("pkg/ln", "hi")), file_entry("pkg/root", "r", 0600)}));
  // --chown does not apply to what an archive holds (dockerd's Untar keeps its owners), nor to
  // the directories created for it (root's).
  ASSERT_COPIED(copy({"owned.tar"}, "/opt/new/", {.uid = 7, .gid = 8}, true));
  for (const auto* rel : {"/opt/new/pkg", "/opt/new/pkg/hi", "/opt/new/pkg/ln"}) {
    auto st = lstat_of(out(rel));
    EXPECT_EQ(st.st_uid, 1234u) << rel;
    EXPECT_EQ(st.st_gid, 5678u) << rel;
    EXPECT_EQ(st.st_mtim.tv_sec, 1'400'000'000) << rel;
  }
  EXPECT_EQ(lstat_of(out("/opt/new/pkg")).st_mode & 07777, 0750u);
  EXPECT_EQ(lstat_of(out("/opt/new/pkg/hi")).st_mode & 07777, 04711u);
  EXPECT_EQ(lstat_of(out("/opt/new/pkg/root")).st_uid, 0u);
  for (const auto* rel : {"/opt", "/opt/new"}) {
    auto st = lstat_of(out(rel));
    EXPECT_EQ(st.st_uid, 0u) << rel;
    EXPECT_EQ(st.st_mode & 07777, 0755u) << rel;
  }
}

TEST_F(copy_layer_test, add_unpacks_through_a_symlinked_image_directory) {
  dir(bottom_, "usr/share");
  ASSERT_EQ(::symlink("usr/share", (bottom_ + "/share").c_str()), 0);
  file(ctx_, "a.tar.gz", make_tar({file_entry("doc", "d")}, tar_format::pax, compression::gzip));
  ASSERT_COPIED(copy({"a.tar.gz"}, "/share", {}, true));
  EXPECT_EQ(contents(out("/usr/share/doc")), "d");
  EXPECT_EQ(list_dir(out_), (std::set<std::string>{"usr"}));
}

TEST_F(copy_layer_test, add_has_no_compression_ratio_limit) {
  // A zeroed file compresses far beyond the layer limit's 1024:1; dockerd has no such limit.
  limits_.ratio_floor = 1 << 20;
  EXPECT_TRUE(std::isinf(copy_layer_request{}.limits.max_ratio));
  file(ctx_, "zeros.tar.zst",
       compress(make_tar({file_entry("zeros", std::string(8 << 20, '\0'))}), compression::zstd));
  ASSERT_COPIED(copy({"zeros.tar.zst"}, "/z/", {}, true));
  EXPECT_EQ(lstat_of(out("/z/zeros")).st_size, 8 << 20);
}

TEST_F(copy_layer_test, add_copies_what_is_no_archive_and_fails_on_a_broken_one) {
  file(ctx_, "empty.tar", make_tar({}));
  file(ctx_, "text.gz", compress("just text, no tar", compression::gzip));
  file(ctx_, "fake.zst", std::string{"\x28\xb5\x2f\xfd not really zstd"});
  ASSERT_COPIED(copy({"empty.tar", "text.gz", "fake.zst"}, "/f/", {}, true));
  EXPECT_EQ(list_dir(out("/f")), (std::set<std::string>{"empty.tar", "text.gz", "fake.zst"}));
  EXPECT_EQ(contents(out("/f/fake.zst")), std::string{"\x28\xb5\x2f\xfd not really zstd"});
  // The first header reads, the rest is cut: an archive that fails to unpack fails the step.
  auto whole = make_tar({file_entry("a", "a"), file_entry("big", std::string(100'000, 'x'))});
  file(ctx_, "cut.tar", whole.substr(0, 20'000));
  auto err = copy({"cut.tar"}, "/cut/", {}, true);
  ASSERT_TRUE(err);
  EXPECT_EQ(error_message(err).rfind("failed to copy files: ", 0), 0u) << error_message(err);
}
