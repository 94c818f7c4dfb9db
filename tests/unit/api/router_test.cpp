// Tests api/router: literal routes, single-segment and greedy parameters, methods.
#include <gtest/gtest.h>

#include "api/router.hpp"

using namespace berth::api;

namespace {

router make_router() {
  router r;
  auto nop = [](const std::shared_ptr<exchange>&) {};
  r.add("GET", "/_ping", nop);
  r.add("GET", "/containers/{id}/json", nop);
  r.add("GET", "/images/{name*}/json", nop);
  r.add("GET", "/images/{name*}", nop);
  r.add("POST", "/images/{name*}/tag", nop);
  return r;
}

} // namespace

TEST(router, matches_literals_and_parameters) {
  auto r = make_router();
  auto m = r.match("GET", "/containers/abc/json");
  ASSERT_TRUE(m.matched);
  EXPECT_EQ(m.matched->pattern, "/containers/{id}/json");
  EXPECT_EQ(m.params["id"], "abc");
  EXPECT_FALSE(r.match("GET", "/containers//json").matched);
  EXPECT_FALSE(r.match("GET", "/containers/abc/json/extra").matched);
}

TEST(router, greedy_parameters_take_slashes) {
  auto r = make_router();
  auto m = r.match("GET", "/images/localhost:5000/a/b:1/json");
  ASSERT_TRUE(m.matched);
  EXPECT_EQ(m.matched->pattern, "/images/{name*}/json");
  EXPECT_EQ(m.params["name"], "localhost:5000/a/b:1");
  auto t = r.match("POST", "/images/busybox/tag");
  ASSERT_TRUE(t.matched);
  EXPECT_EQ(t.params["name"], "busybox");
}

TEST(router, method_must_match) {
  auto r = make_router();
  EXPECT_FALSE(r.match("POST", "/_ping").matched);
  EXPECT_FALSE(r.match("GET", "_ping").matched);
  EXPECT_FALSE(r.match("GET", "/nope").matched);
}
