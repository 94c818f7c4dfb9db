// Tests storage/copy_layer: a COPY/ADD step written into a fresh layer directory from a fake
// context over fake lower layers, as dockerd's performCopy does it (file vs directory targets,
// directory contents, wildcards, modes, times, --chown, ADD's archive unpacking), and never a
// write outside the layer directory.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
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
    return write_copy_layer(req);
  }

  std::string out(const std::string& rel) const { return out_ + rel; }
  static std::string contents(const std::string& path) {
    auto data = sys::read_file(path);
    EXPECT_TRUE(data) << path;
    return data ? *data : std::string{};
  }

  std::string base_, ctx_, top_, bottom_, out_, outside_;
  unique_fd ctx_fd_;
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
  ASSERT_EQ(::symlink("/etc/passwd", out("/x").c_str()), 0);
  ASSERT_COPIED(copy({"a.txt"}, "/x"));
  auto st = lstat_of(out("/x"));
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(contents(out("/x")), "alpha");
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
  // The image's /etc and /var point out of the layer, absolutely and relatively.
  ASSERT_EQ(::symlink(outside_.c_str(), (bottom_ + "/etc").c_str()), 0);
  ASSERT_EQ(::symlink("../../../../../outside", (top_ + "/var").c_str()), 0);
  ASSERT_COPIED(copy({"a.txt"}, "/etc/conf"));
  ASSERT_COPIED(copy({"a.txt"}, "/var/"));
  EXPECT_EQ(list_dir(outside_), std::set<std::string>{});
  EXPECT_EQ(list_dir(base_),
            (std::set<std::string>{"ctx", "top", "bottom", "out", "scratch", "outside"}));
  EXPECT_EQ(contents(out("/etc/conf")), "alpha");
  EXPECT_EQ(contents(out("/var/a.txt")), "alpha");
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
  auto err = copy({"evil.tar"}, "/opt/", {}, true);
  // Either refused or copied as a plain file: never anything outside.
  if (!err) {
    EXPECT_EQ(list_dir(out("/opt")), (std::set<std::string>{"evil.tar"}));
  }
  EXPECT_EQ(list_dir(outside_), std::set<std::string>{});
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

TEST_F(copy_layer_test, is_dir_in_layers_merges_like_overlayfs) {
  dir(bottom_, "usr/lib");
  dir(bottom_, "opt");
  file(bottom_, "etc/hosts", "h");
  ASSERT_EQ(::mknod((top_ + "/opt").c_str(), S_IFCHR | 0000, makedev(0, 0)), 0);
  std::vector<std::string> layers{top_, bottom_};
  EXPECT_TRUE(is_dir_in_layers(layers, "/"));
  EXPECT_TRUE(is_dir_in_layers(layers, "/usr/lib"));
  EXPECT_TRUE(is_dir_in_layers(layers, "/usr/lib/"));
  EXPECT_FALSE(is_dir_in_layers(layers, "/etc/hosts"));
  EXPECT_FALSE(is_dir_in_layers(layers, "/missing"));
  EXPECT_FALSE(is_dir_in_layers(layers, "/opt")); // whited out above
  EXPECT_FALSE(is_dir_in_layers({}, "/usr"));
}
