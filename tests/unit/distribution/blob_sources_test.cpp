// Tests distribution/blob_sources: mount candidates per registry, newest first, bounded.
#include <gtest/gtest.h>

#include "distribution/blob_sources.hpp"

using namespace berth::distribution;

TEST(blob_sources, candidates_are_other_repositories_of_the_same_registry) {
  blob_sources s;
  s.add("sha256:1", "127.0.0.1:5000", "library/busybox");
  s.add("sha256:1", "127.0.0.1:5000", "me/app");
  s.add("sha256:1", "other:5000", "x");
  EXPECT_EQ(s.candidates("sha256:1", "127.0.0.1:5000", "me/copy"),
            (std::vector<std::string>{"me/app", "library/busybox"}));
  EXPECT_EQ(s.candidates("sha256:1", "127.0.0.1:5000", "me/app"),
            (std::vector<std::string>{"library/busybox"}));
  EXPECT_TRUE(s.candidates("sha256:2", "127.0.0.1:5000", "x").empty());
}

TEST(blob_sources, keeps_a_few_repositories_per_blob) {
  blob_sources s;
  for (int i = 0; i < 10; ++i)
    s.add("sha256:1", "r", "repo" + std::to_string(i));
  auto c = s.candidates("sha256:1", "r", "");
  EXPECT_EQ(c.size(), blob_sources::max_repositories_per_blob);
  EXPECT_EQ(c.front(), "repo9");
  // Adding a known one again moves it to the front.
  s.add("sha256:1", "r", "repo7");
  EXPECT_EQ(s.candidates("sha256:1", "r", "").front(), "repo7");
}
