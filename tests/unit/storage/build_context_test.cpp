// Tests storage/build_context: unpacking a build context tar (compressed or not), reading the
// Dockerfile, applying .dockerignore, and refusing hostile archives.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/byte_source.hpp"
#include "base/error.hpp"
#include "base/sys.hpp"
#include "layer_unpack_fixture.hpp"
#include "storage/build_context.hpp"
#include "tar_builder.hpp"

using namespace berth;
using namespace berth::storage;
using namespace berth::test;

namespace {

/// The layer_unpack fixture's "root" is the context directory, "outside" its neighbour.
class build_context_test : public layer_unpack_test {
 protected:
  caf::expected<build_context> extract(const std::string& tar, context_options options = {}) {
    string_source source{tar};
    return extract_build_context(source, root_, options);
  }
  std::string refuse(const std::string& tar, context_options options = {}) {
    auto r = extract(tar, std::move(options));
    EXPECT_FALSE(r);
    return r ? std::string{} : error_message(r.error());
  }
  bool in_context(const std::string& rel) const { return sys::exists(root_ + "/" + rel); }
};

tar_entry dockerfile(std::string text = "FROM busybox\n") {
  return file_entry("Dockerfile", std::move(text));
}

} // namespace

TEST_F(build_context_test, unpacks_files_directories_and_links) {
  auto tar =
      make_tar({dockerfile(), dir_entry("src", 0750), file_entry("src/main.c", "int main;", 0640),
                file_entry("run.sh", "#!/bin/sh\n", 04755), symlink_entry("link", "src/main.c"),
                symlink_entry("abs", "/etc/passwd"), hardlink_entry("hard", "run.sh"),
                tar_entry{.name = "fifo", .type = tar_entry::kind::fifo},
                tar_entry{.name = "null", .type = tar_entry::kind::chardev, .rdev = makedev(1, 3)},
                file_entry(".wh.looks-like-a-whiteout", "plain file")});
  auto r = extract(tar);
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(r->dockerfile_path, "Dockerfile");
  EXPECT_EQ(r->dockerfile_text, "FROM busybox\n");
  EXPECT_EQ(r->entries, 10u);
  EXPECT_EQ(r->skipped_devices, 1u);
  EXPECT_GT(r->tar_bytes, 0u);
  EXPECT_EQ(*sys::read_file(root_ + "/src/main.c"), "int main;");
  EXPECT_EQ(lstat_of(root_ + "/src").st_mode & 07777, 0750u);
  EXPECT_EQ(lstat_of(root_ + "/run.sh").st_mode & 07777, 04755u);
  EXPECT_EQ(read_link(root_ + "/link"), "src/main.c");
  EXPECT_EQ(read_link(root_ + "/abs"), "/etc/passwd"); // kept as written, never followed
  EXPECT_EQ(lstat_of(root_ + "/hard").st_ino, lstat_of(root_ + "/run.sh").st_ino);
  EXPECT_TRUE(S_ISFIFO(lstat_of(root_ + "/fifo").st_mode));
  EXPECT_FALSE(in_context("null"));
  EXPECT_EQ(*sys::read_file(root_ + "/.wh.looks-like-a-whiteout"), "plain file");
}

TEST_F(build_context_test, compressed_contexts) {
  for (auto c : {compression::gzip, compression::bzip2, compression::xz, compression::zstd}) {
    ASSERT_FALSE(sys::remove_all(root_));
    ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
    auto r = extract(compress(make_tar({dockerfile("FROM scratch\n"), file_entry("a", "x")}), c));
    ASSERT_TRUE(r) << static_cast<int>(c) << ": " << error_message(r.error());
    EXPECT_EQ(r->dockerfile_text, "FROM scratch\n");
    EXPECT_EQ(*sys::read_file(root_ + "/a"), "x");
  }
}

TEST_F(build_context_test, finding_the_dockerfile) {
  EXPECT_EQ(refuse(make_tar({file_entry("a", "x")})),
            "Cannot locate specified Dockerfile: Dockerfile");

  ASSERT_FALSE(sys::remove_all(root_));
  ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
  auto lower = extract(make_tar({file_entry("dockerfile", "FROM lower\n")}));
  ASSERT_TRUE(lower) << error_message(lower.error());
  EXPECT_EQ(lower->dockerfile_path, "dockerfile");
  EXPECT_EQ(lower->dockerfile_text, "FROM lower\n");

  ASSERT_FALSE(sys::remove_all(root_));
  ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
  auto custom =
      extract(make_tar({dir_entry("build"), file_entry("build/Dockerfile.dev", "FROM dev\n")}),
              {.dockerfile = "./build/Dockerfile.dev"});
  ASSERT_TRUE(custom) << error_message(custom.error());
  EXPECT_EQ(custom->dockerfile_text, "FROM dev\n");

  ASSERT_FALSE(sys::remove_all(root_));
  ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
  EXPECT_EQ(refuse(make_tar({file_entry("other", "FROM x\n")}), {.dockerfile = "Other"}),
            "Cannot locate specified Dockerfile: Other");

  ASSERT_FALSE(sys::remove_all(root_));
  ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
  EXPECT_EQ(refuse(make_tar({dockerfile()}), {.dockerfile = "../outside/marker"}),
            "forbidden path outside the build context: ../outside/marker ()");
}

TEST_F(build_context_test, a_dockerfile_symlink_cannot_read_host_files) {
  // Dockerfile -> the sibling "outside/marker" (absolute and relative): resolved inside the
  // context, where there is no such file.
  auto r = extract(make_tar({symlink_entry("Dockerfile", outside_ + "/marker")}));
  ASSERT_FALSE(r);
  EXPECT_EQ(error_message(r.error()), "Cannot locate specified Dockerfile: Dockerfile");
  ASSERT_FALSE(sys::remove_all(root_));
  ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
  auto inside = extract(make_tar({dir_entry("d"), file_entry("d/real", "FROM real\n"),
                                  symlink_entry("Dockerfile", "/d/real")}));
  ASSERT_TRUE(inside) << error_message(inside.error());
  EXPECT_EQ(inside->dockerfile_text, "FROM real\n");
}

TEST_F(build_context_test, hostile_archives_are_refused) {
  auto message = refuse(make_tar({dockerfile(), file_entry("../outside/evil", "x")}));
  EXPECT_NE(message.find(".."), std::string::npos) << message;
  expect_outside_untouched();

  ASSERT_FALSE(sys::remove_all(root_));
  ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
  message = refuse(make_tar({dockerfile(), symlink_entry("up", "../../outside")}));
  EXPECT_NE(message.find("breakout"), std::string::npos) << message;
  expect_outside_untouched();

  ASSERT_FALSE(sys::remove_all(root_));
  ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
  refuse(make_tar({dockerfile(), symlink_entry("a", outside_), file_entry("a/evil", "x")}));
  expect_outside_untouched();

  ASSERT_FALSE(sys::remove_all(root_));
  ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
  refuse(make_tar({dockerfile(), hardlink_entry("h", "../outside/marker")}));
  expect_outside_untouched();

  // Absolute names land inside the context.
  ASSERT_FALSE(sys::remove_all(root_));
  ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
  auto r = extract(make_tar({dockerfile(), file_entry(outside_ + "/evil", "y")}));
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(*sys::read_file(root_ + outside_ + "/evil"), "y");
  expect_outside_untouched();
}

TEST_F(build_context_test, limits) {
  auto big = make_tar({dockerfile(), file_entry("big", std::string(1 << 20, 'x'))});
  context_options options;
  options.limits.max_bytes = 64 << 10;
  auto message = refuse(big, options);
  EXPECT_FALSE(message.empty());
  ASSERT_FALSE(sys::remove_all(root_));
  ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
  context_options few;
  few.limits.max_entries = 2;
  EXPECT_EQ(refuse(make_tar({dockerfile(), file_entry("a", ""), file_entry("b", "")}), few),
            "build context has more than 2 entries");
  // The stream's other messages name the build context too.
  EXPECT_EQ(refuse(std::string(4096, 'x')).rfind("build context is not a tar archive", 0), 0u);
  EXPECT_EQ(refuse(""), "build context stream is empty");
  ASSERT_FALSE(sys::remove_all(root_));
  ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
  EXPECT_EQ(refuse(make_tar({dockerfile(std::string(100, '#'))}), {.max_file_bytes = 10}),
            "Dockerfile Dockerfile is larger than 10 bytes");
}

TEST_F(build_context_test, dockerignore_is_applied) {
  auto tar = make_tar({dockerfile(),
                       file_entry(".dockerignore", "# build output\n*.log\n!keep.log\n"
                                                   "node_modules\nbuild\n!build/dist\n"
                                                   "**/*.tmp\n"),
                       file_entry("app.js", "js"), file_entry("debug.log", "log"),
                       file_entry("keep.log", "kept"), dir_entry("node_modules"),
                       file_entry("node_modules/x/index.js", "dep"), dir_entry("build"),
                       file_entry("build/obj.o", "o"), file_entry("build/dist/app", "bin"),
                       dir_entry("src"), file_entry("src/a.tmp", "t"), file_entry("src/a.c", "c"),
                       symlink_entry("ignored-link.log", "/etc")});
  auto r = extract(tar);
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(r->ignore_patterns, (std::vector<std::string>{"*.log", "!keep.log", "node_modules",
                                                          "build", "!build/dist", "**/*.tmp"}));
  EXPECT_TRUE(in_context("Dockerfile"));
  EXPECT_TRUE(in_context(".dockerignore"));
  EXPECT_TRUE(in_context("app.js"));
  EXPECT_FALSE(in_context("debug.log"));
  EXPECT_TRUE(in_context("keep.log"));
  EXPECT_FALSE(in_context("node_modules"));
  EXPECT_FALSE(in_context("build/obj.o"));
  EXPECT_TRUE(in_context("build/dist/app"));
  EXPECT_FALSE(in_context("src/a.tmp"));
  EXPECT_TRUE(in_context("src/a.c"));
  EXPECT_FALSE(in_context("ignored-link.log"));
  EXPECT_EQ(r->ignored_paths, 5u);
}

TEST_F(build_context_test, excluded_dockerfile_and_dockerignore_are_read_then_removed) {
  auto tar =
      make_tar({dockerfile("FROM me\n"), file_entry(".dockerignore", "Dockerfile\n.dockerignore\n"),
                file_entry("a", "x")});
  auto r = extract(tar);
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(r->dockerfile_text, "FROM me\n");
  EXPECT_FALSE(in_context("Dockerfile"));
  EXPECT_FALSE(in_context(".dockerignore"));
  EXPECT_TRUE(in_context("a"));

  // Without applying the patterns to everything, dockerd's own rule still holds.
  ASSERT_FALSE(sys::remove_all(root_));
  ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
  auto only =
      extract(make_tar({dockerfile(), file_entry(".dockerignore", "*\n"), file_entry("a", "x")}),
              {.apply_dockerignore = false});
  ASSERT_TRUE(only) << error_message(only.error());
  EXPECT_FALSE(in_context("Dockerfile"));
  EXPECT_FALSE(in_context(".dockerignore"));
  EXPECT_TRUE(in_context("a"));
}

TEST_F(build_context_test, bad_dockerignore_patterns) {
  EXPECT_EQ(refuse(make_tar({dockerfile(), file_entry(".dockerignore", "[a-\n")})),
            "syntax error in pattern");
  ASSERT_FALSE(sys::remove_all(root_));
  ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
  EXPECT_EQ(refuse(make_tar({dockerfile(), file_entry(".dockerignore", "!\n")})),
            "illegal exclusion pattern: \"!\"");
  ASSERT_FALSE(sys::remove_all(root_));
  ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
  EXPECT_EQ(
      refuse(make_tar({dockerfile(), dir_entry(".dockerignore")})),
      "error reading .dockerignore: unexpected error reading .dockerignore: .dockerignore is a "
      "directory");
}
