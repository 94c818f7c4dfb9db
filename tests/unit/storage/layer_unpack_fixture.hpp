// Test helper: a fixture for unpacking layers next to an "outside" directory that must stay intact.
#pragma once

#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <set>
#include <string>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "base/byte_source.hpp"
#include "base/error.hpp"
#include "base/sys.hpp"
#include "storage/layer_unpack.hpp"

namespace berth::test {

inline std::string sha256_hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned i = 0; i < size; ++i) {
    out += digits[digest[i] >> 4];
    out += digits[digest[i] & 0xf];
  }
  return out;
}

inline std::set<std::string> list_dir(const std::string& path) {
  std::set<std::string> names;
  if (DIR* d = ::opendir(path.c_str())) {
    while (auto* e = ::readdir(d))
      if (std::string_view{e->d_name} != "." && std::string_view{e->d_name} != "..")
        names.insert(e->d_name);
    ::closedir(d);
  }
  return names;
}

inline std::string read_link(const std::string& path) {
  char buf[4096];
  auto n = ::readlink(path.c_str(), buf, sizeof buf);
  return n < 0 ? std::string{} : std::string(buf, static_cast<size_t>(n));
}

inline std::string get_xattr(const std::string& path, const char* name) {
  char buf[1024];
  auto n = ::lgetxattr(path.c_str(), name, buf, sizeof buf);
  return n < 0 ? std::string{"<none>"} : std::string(buf, static_cast<size_t>(n));
}

inline struct stat lstat_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st;
}

/// A temp base holding the unpack target "root" and a sibling "outside" that must stay untouched.
class layer_unpack_test : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-unpack-test-XXXXXX";
    base_ = ::mkdtemp(tmpl);
    root_ = base_ + "/root";
    outside_ = base_ + "/outside";
    ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir(outside_.c_str(), 0755), 0);
    auto marker = sys::open(outside_ + "/marker", O_WRONLY | O_CREAT | O_EXCL, 0644);
    ASSERT_TRUE(marker);
    ASSERT_FALSE(sys::write_all(marker->get(), "keep", "marker"));
  }
  void TearDown() override { (void)sys::remove_all(base_); }

  caf::expected<storage::unpack_result>
  unpack(const std::string& layer, const storage::unpack_limits& limits = {}, bool diff_id = true) {
    string_source source{layer};
    return storage::unpack_layer(source, root_, limits, diff_id);
  }

  /// Unpacks a layer that must be refused; returns the error message.
  std::string refuse(const std::string& layer, const storage::unpack_limits& limits = {}) {
    auto r = unpack(layer, limits);
    EXPECT_FALSE(r) << "unpack succeeded but should have failed";
    return r ? std::string{} : error_message(r.error());
  }

  /// Nothing was created, changed or linked next to the target.
  void expect_outside_untouched() {
    EXPECT_EQ(list_dir(base_), (std::set<std::string>{"outside", "root"}));
    EXPECT_EQ(list_dir(outside_), (std::set<std::string>{"marker"}));
    auto marker = sys::read_file(outside_ + "/marker");
    ASSERT_TRUE(marker);
    EXPECT_EQ(*marker, "keep");
    EXPECT_EQ(lstat_of(outside_ + "/marker").st_nlink, 1u);
    EXPECT_EQ(lstat_of(outside_ + "/marker").st_mode & 07777, 0644u);
  }

  std::string in_root(const std::string& name) { return root_ + "/" + name; }

  std::string base_;
  std::string root_;
  std::string outside_;
};

} // namespace berth::test
