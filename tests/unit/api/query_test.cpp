// Tests api/query: decoding, repeated keys, Docker's booleans, integers.
#include <gtest/gtest.h>

#include "api/query.hpp"
#include "base/error.hpp"

using namespace berth::api;

TEST(query, decodes_and_repeats) {
  auto q = query_params::parse("names=a&names=b%3Ac&x=hello+world&flag");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->all("names"), (std::vector<std::string>{"a", "b:c"}));
  EXPECT_EQ(q->get("x"), "hello world");
  EXPECT_TRUE(q->has("flag"));
  EXPECT_EQ(q->get("missing", "d"), "d");
}

TEST(query, rejects_bad_escapes) {
  EXPECT_FALSE(query_params::parse("a=%zz"));
  EXPECT_FALSE(query_params::parse("a=%4"));
}

TEST(query, booleans_follow_httputils) {
  auto q = *query_params::parse("a=1&b=0&c=false&d=no&e=none&f=&g=True&h=yes");
  EXPECT_TRUE(q.flag("a"));
  EXPECT_FALSE(q.flag("b"));
  EXPECT_FALSE(q.flag("c"));
  EXPECT_FALSE(q.flag("d"));
  EXPECT_FALSE(q.flag("e"));
  EXPECT_FALSE(q.flag("f"));
  EXPECT_TRUE(q.flag("g"));
  EXPECT_TRUE(q.flag("h"));
  EXPECT_FALSE(q.flag("absent"));
}

TEST(query, integers) {
  auto q = *query_params::parse("t=10&bad=1x");
  EXPECT_EQ(q.integer("t", 0), 10);
  EXPECT_EQ(q.integer("absent", 7), 7);
  EXPECT_FALSE(q.integer("bad", 0));
}

TEST(query, strict_booleans_refuse_other_words) {
  auto q = *query_params::parse("a=1&b=0&c=TRUE&d=none&e=&f=maybe&g=%20yes");
  EXPECT_EQ(q.strict_flag("a", false), true);
  EXPECT_EQ(q.strict_flag("b", true), false);
  EXPECT_EQ(q.strict_flag("c", false), true);
  EXPECT_EQ(q.strict_flag("d", true), false);
  EXPECT_EQ(q.strict_flag("e", true), false);
  EXPECT_EQ(q.strict_flag("g", false), true);
  EXPECT_EQ(q.strict_flag("absent", true), true);
  auto maybe = q.strict_flag("f", true);
  ASSERT_FALSE(maybe);
  EXPECT_NE(berth::error_message(maybe.error()).find("f"), std::string::npos);
}
