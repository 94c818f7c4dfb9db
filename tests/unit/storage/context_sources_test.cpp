// Tests storage/context_sources: resolving COPY/ADD sources as dockerd does, never reading
// outside the root, and the cache checksums of sources.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "layer_unpack_fixture.hpp"
#include "storage/context_sources.hpp"

using namespace berth;
using namespace berth::storage;
using namespace berth::test;

namespace {

class context_sources_test : public layer_unpack_test {
 protected:
  void SetUp() override {
    layer_unpack_test::SetUp();
    write("Dockerfile", "FROM x\n");
    write("a.txt", "a");
    write("b.txt", "b");
    write("src/main.c", "int main;");
    write("src/util.c", "int util;");
    write("src/deep/x.h", "#pragma once");
    symlink("src/main.c", "link-to-main");
    symlink(outside_ + "/marker", "abs-out");
    symlink("../outside/marker", "src/rel-out");
    symlink("/", "rootlink");
    auto fd = sys::open(root_, O_PATH | O_DIRECTORY);
    ASSERT_TRUE(fd);
    root_fd_ = std::move(*fd);
  }

  void write(const std::string& rel, const std::string& data, mode_t mode = 0644) {
    auto path = root_ + "/" + rel;
    ASSERT_FALSE(sys::make_dirs(path.substr(0, path.rfind('/'))));
    ASSERT_FALSE(sys::write_file_atomic(path, data, mode));
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }
  void symlink(const std::string& target, const std::string& rel) {
    ASSERT_EQ(::symlink(target.c_str(), (root_ + "/" + rel).c_str()), 0);
  }

  caf::expected<std::vector<context_source>> resolve(std::vector<std::string> sources,
                                                     std::string dest = "/dest/",
                                                     source_root kind = source_root::context) {
    return resolve_sources(root_fd_.get(), "COPY", sources, dest, kind);
  }
  std::vector<std::string> paths(std::vector<std::string> sources) {
    auto r = resolve(std::move(sources));
    EXPECT_TRUE(r) << (r ? "" : error_message(r.error()));
    std::vector<std::string> out;
    if (r)
      for (auto& s : *r)
        out.push_back(s.path);
    return out;
  }
  std::string error_of(std::vector<std::string> sources, std::string dest = "/dest/",
                       source_root kind = source_root::context) {
    auto r = resolve(std::move(sources), std::move(dest), kind);
    EXPECT_FALSE(r);
    return r ? std::string{} : error_message(r.error());
  }
  std::string checksum(const std::string& path, bool is_dir = false) {
    auto sum = source_checksum(root_fd_.get(), {path, is_dir});
    EXPECT_TRUE(sum) << (sum ? "" : error_message(sum.error()));
    return sum ? *sum : std::string{};
  }

  unique_fd root_fd_;
};

using strings = std::vector<std::string>;

} // namespace

TEST_F(context_sources_test, plain_paths) {
  auto r = resolve({"a.txt", "/src", "./b.txt", "."});
  ASSERT_TRUE(r) << error_message(r.error());
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].path, "a.txt");
  EXPECT_FALSE((*r)[0].is_dir);
  EXPECT_EQ((*r)[1].path, "src");
  EXPECT_TRUE((*r)[1].is_dir);
  EXPECT_EQ((*r)[2].path, "b.txt");
  EXPECT_EQ((*r)[3].path, ".");
  EXPECT_TRUE((*r)[3].is_dir);
  // A symlink keeps its own name; what it points to decides file or directory.
  auto link = resolve({"link-to-main"}, "/x");
  ASSERT_TRUE(link);
  EXPECT_EQ((*link)[0].path, "link-to-main");
  EXPECT_FALSE((*link)[0].is_dir);
  auto dir_link = resolve({"rootlink/src"}, "/x");
  ASSERT_TRUE(dir_link) << error_message(dir_link.error());
  EXPECT_TRUE((*dir_link)[0].is_dir);
}

TEST_F(context_sources_test, dockerd_errors) {
  EXPECT_EQ(error_of({"missing.txt"}),
            "COPY failed: file not found in build context or excluded by .dockerignore: stat "
            "missing.txt: file does not exist");
  EXPECT_EQ(error_of({"/missing"}, "/x", source_root::image),
            "COPY failed: stat missing: file does not exist");
  EXPECT_EQ(error_of({"../x"}), "COPY failed: forbidden path outside the build context: ../x ()");
  EXPECT_EQ(error_of({"src/../../outside/marker"}),
            "COPY failed: forbidden path outside the build context: src/../../outside/marker ()");
  EXPECT_EQ(error_of({"nothing*"}), "COPY failed: no source files were specified");
  EXPECT_EQ(error_of({"a.txt", "b.txt"}, "/dest"),
            "When using COPY with more than one source file, the destination must be a directory "
            "and end with a /");
  EXPECT_EQ(error_of({"*.txt"}, "/dest"),
            "When using COPY with more than one source file, the destination must be a directory "
            "and end with a /");
  EXPECT_EQ(error_of({"https://example.com/x"}), "COPY failed: source can't be a URL for COPY");
  auto add = resolve_sources(root_fd_.get(), "ADD", {"http://example.com/x.tgz"}, "/",
                             source_root::context);
  ASSERT_FALSE(add);
  EXPECT_TRUE(error_message(add.error())
                  .starts_with("ADD failed: cannot download http://example.com/x.tgz"));
  EXPECT_EQ(error_of({"a.txt/"}),
            "COPY failed: file not found in build context or excluded by .dockerignore: stat "
            "a.txt/: file does not exist");
}

TEST_F(context_sources_test, symlinks_cannot_reach_the_host) {
  // Both links point at outside/marker, which exists on the host but not inside the root.
  EXPECT_TRUE(error_of({"abs-out"}).find("file not found in build context") != std::string::npos);
  EXPECT_TRUE(error_of({"src/rel-out"}).find("file not found in build context") !=
              std::string::npos);
  EXPECT_TRUE(error_of({"rootlink/../outside/marker"}).find("file not found") != std::string::npos);
  // "rootlink" is "/": the root itself, not the host's.
  auto fd = open_in_root(root_fd_.get(), "rootlink/Dockerfile", O_RDONLY);
  ASSERT_TRUE(fd) << error_message(fd.error());
  char buf[16] = {};
  EXPECT_EQ(::read(fd->get(), buf, sizeof buf), 7);
  EXPECT_EQ(std::string(buf, 7), "FROM x\n");
  auto host = open_in_root(root_fd_.get(), "rootlink" + outside_ + "/marker", O_RDONLY);
  ASSERT_FALSE(host);
  EXPECT_EQ(error_kind(host.error()), errc::not_found);
  EXPECT_FALSE(open_in_root(root_fd_.get(), "../outside/marker", O_RDONLY));
  expect_outside_untouched();
}

TEST_F(context_sources_test, wildcards) {
  EXPECT_EQ(paths({"*.txt"}), (strings{"a.txt", "b.txt"}));
  EXPECT_EQ(paths({"src/*.c"}), (strings{"src/main.c", "src/util.c"}));
  // A dangling match fails the whole instruction, as in dockerd.
  EXPECT_EQ(error_of({"/src/*"}),
            "COPY failed: file not found in build context or excluded by .dockerignore: stat "
            "src/rel-out: file does not exist");
  ASSERT_EQ(::unlink((root_ + "/src/rel-out").c_str()), 0);
  EXPECT_EQ(paths({"/src/*"}), (strings{"src/deep", "src/main.c", "src/util.c"}));
  EXPECT_EQ(paths({"[ab].txt"}), (strings{"a.txt", "b.txt"}));
  EXPECT_EQ(paths({"?.txt", "Dockerfile"}), (strings{"a.txt", "b.txt", "Dockerfile"}));
  EXPECT_EQ(paths({"src/*/x.h"}), strings{"src/deep/x.h"});
  EXPECT_EQ(paths({"link-*"}), strings{"link-to-main"});
  // A wildcard match that is a symlink out of the root is resolved inside it: not found.
  EXPECT_TRUE(error_of({"abs-*"}).find("file not found in build context") != std::string::npos);
  EXPECT_EQ(error_of({"src/*.cpp"}), "COPY failed: no source files were specified");
}

TEST_F(context_sources_test, checksums_follow_content_mode_owner_and_names) {
  auto file = checksum("a.txt");
  EXPECT_TRUE(file.starts_with("file:")) << file;
  EXPECT_EQ(file.size(), 5u + 64u);
  EXPECT_EQ(checksum("a.txt"), file);
  auto dir = checksum("src", true);
  EXPECT_TRUE(dir.starts_with("dir:")) << dir;

  // Times do not count.
  struct timespec times[2] = {{1, 0}, {1, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (root_ + "/a.txt").c_str(), times, 0), 0);
  ASSERT_EQ(::utimensat(AT_FDCWD, (root_ + "/src/util.c").c_str(), times, 0), 0);
  EXPECT_EQ(checksum("a.txt"), file);
  EXPECT_EQ(checksum("src", true), dir);

  // Content, mode, owner and symlink targets do.
  write("a.txt", "A");
  auto changed = checksum("a.txt");
  EXPECT_NE(changed, file);
  ASSERT_EQ(::chmod((root_ + "/a.txt").c_str(), 0600), 0);
  EXPECT_NE(checksum("a.txt"), changed);
  changed = checksum("a.txt");
  ASSERT_EQ(::lchown((root_ + "/a.txt").c_str(), 1000, 1000), 0);
  EXPECT_NE(checksum("a.txt"), changed);

  write("src/deep/x.h", "#pragma twice");
  auto dir2 = checksum("src", true);
  EXPECT_NE(dir2, dir);
  ASSERT_EQ(::unlink((root_ + "/src/rel-out").c_str()), 0);
  symlink("../elsewhere", "src/rel-out");
  EXPECT_NE(checksum("src", true), dir2);

  // The source's own name counts (a wildcard match renamed copies to another name).
  write("c.txt", "b");
  EXPECT_NE(checksum("c.txt"), checksum("b.txt"));
  // A symlink source is hashed through what it points to.
  EXPECT_TRUE(checksum("link-to-main").starts_with("file:"));

  EXPECT_EQ(combined_checksum({"file:1"}), "file:1");
  auto multi = combined_checksum({"file:1", "dir:2"});
  EXPECT_TRUE(multi.starts_with("multi:")) << multi;
  EXPECT_NE(multi, combined_checksum({"dir:2", "file:1"}));
}

TEST_F(context_sources_test, lexical_escape_rule) {
  EXPECT_TRUE(leaves_root(".."));
  EXPECT_TRUE(leaves_root("../x"));
  EXPECT_TRUE(leaves_root("a/../../x"));
  EXPECT_TRUE(leaves_root("./a/./../.."));
  EXPECT_FALSE(leaves_root("a/../b"));
  EXPECT_FALSE(leaves_root("/abs/../x"));
  EXPECT_FALSE(leaves_root(""));
  EXPECT_FALSE(leaves_root("..a/b"));
  EXPECT_TRUE(is_url_source("https://x"));
  EXPECT_FALSE(is_url_source("git@github.com:x/y"));
}
