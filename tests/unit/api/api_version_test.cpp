// Tests api/api_version: the /vX.Y/ prefix and Docker's version errors.
#include <gtest/gtest.h>

#include "api/api_version.hpp"
#include "base/error.hpp"

using namespace berth;
using namespace berth::api;

TEST(api_version, parses_and_orders) {
  EXPECT_EQ(api_version::parse("1.41"), (api_version{1, 41}));
  EXPECT_LT((api_version{1, 24}), (api_version{1, 50}));
  EXPECT_LT((api_version{1, 9}), (api_version{1, 10}));
  EXPECT_FALSE(api_version::parse("1"));
  EXPECT_FALSE(api_version::parse("1."));
  EXPECT_FALSE(api_version::parse("x.y"));
}

TEST(api_version, splits_versioned_and_unversioned_paths) {
  auto v = split_version("/v1.41/containers/json");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->version, (api_version{1, 41}));
  EXPECT_EQ(v->path, "/containers/json");
  auto u = split_version("/version");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->version, max_api_version);
  EXPECT_EQ(u->path, "/version");
  auto not_a_version = split_version("/volumes/x");
  ASSERT_TRUE(not_a_version);
  EXPECT_EQ(not_a_version->path, "/volumes/x");
}

TEST(api_version, refuses_versions_out_of_range_with_dockers_messages) {
  auto high = split_version("/v1.99/info");
  ASSERT_FALSE(high);
  EXPECT_EQ(error_kind(high.error()), errc::invalid_argument);
  EXPECT_EQ(error_message(high.error()),
            "client version 1.99 is too new. Maximum supported API version is 1.50");
  auto low = split_version("/v1.12/info");
  ASSERT_FALSE(low);
  EXPECT_EQ(error_message(low.error()),
            "client version 1.12 is too old. Minimum supported API version is 1.24, please "
            "upgrade your client to a newer version");
  EXPECT_FALSE(split_version("/v1/info"));
}
