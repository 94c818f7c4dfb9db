// Tests runtime/oci_mounts' mount_depth: the depth of the cleaned destination, so that a target
// written with a trailing or doubled slash still sorts after its parents and before its children.
#include <gtest/gtest.h>

#include "runtime/oci_mounts.hpp"

using namespace berth::runtime;

TEST(oci_mounts, depth_counts_the_cleaned_destination) {
  EXPECT_EQ(mount_depth("/"), 1u);
  EXPECT_EQ(mount_depth("/a"), 1u);
  EXPECT_EQ(mount_depth("/a/b"), 2u);
  EXPECT_EQ(mount_depth("/a/b/"), 2u);
  EXPECT_EQ(mount_depth("//a"), 1u);
  EXPECT_EQ(mount_depth("/a//b/./c/.."), 2u);
  // A parent written "/data/" comes before its child "/data/sub".
  EXPECT_LT(mount_depth("/data/"), mount_depth("/data/sub"));
}
