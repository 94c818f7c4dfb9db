// A fixture for tests that read an overlay upper directory over a lower layer (docker diff,
// commit): a temporary lower/ and upper/ pair and the helpers that make overlayfs' markers.
#pragma once

#include <fstream>
#include <string>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <gtest/gtest.h>

#include "base/sys.hpp"

namespace berth::storage_tests {

class overlay_dirs_fixture : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-overlay-dirs-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    lower_ = dir_ + "/lower";
    upper_ = dir_ + "/upper";
    ASSERT_FALSE(sys::make_dirs(lower_));
    ASSERT_FALSE(sys::make_dirs(upper_));
  }
  void TearDown() override { (void)sys::remove_all(dir_); }

  static void file(const std::string& path, const std::string& text = "x") {
    std::ofstream(path) << text;
  }
  static void dir(const std::string& path, mode_t mode = 0755) {
    ASSERT_FALSE(sys::make_dirs(path));
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }
  /// overlayfs' whiteout: a character device 0/0.
  static void whiteout(const std::string& path) {
    ASSERT_EQ(::mknod(path.c_str(), S_IFCHR | 0000, makedev(0, 0)), 0) << path;
  }
  static void opaque(const std::string& path) {
    ASSERT_EQ(::setxattr(path.c_str(), "trusted.overlay.opaque", "y", 1, 0), 0) << path;
  }

  std::string dir_, lower_, upper_;
};

} // namespace berth::storage_tests
