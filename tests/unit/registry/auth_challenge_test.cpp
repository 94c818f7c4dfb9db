// Tests for registry/auth_challenge and the token parts of registry/authorizer.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "registry/auth_challenge.hpp"
#include "registry/authorizer.hpp"

using namespace berth::registry;

TEST(auth_challenge, parses_a_bearer_challenge) {
  auto c = parse_www_authenticate(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull")");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].scheme, "bearer");
  EXPECT_EQ(c[0].param("realm"), "https://auth.docker.io/token");
  EXPECT_EQ(c[0].param("service"), "registry.docker.io");
  EXPECT_EQ(c[0].param("scope"), "repository:library/busybox:pull");
  EXPECT_EQ(c[0].param("error"), "");
}

TEST(auth_challenge, parses_basic_tokens_escapes_and_several_challenges) {
  auto c = parse_www_authenticate(
      R"(Basic realm="Registry \"Realm\"", charset=UTF-8, BEARER Realm=http://t/token ,error="insufficient_scope")");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].scheme, "basic");
  EXPECT_EQ(c[0].param("realm"), "Registry \"Realm\"");
  EXPECT_EQ(c[0].param("charset"), "UTF-8");
  EXPECT_EQ(c[1].scheme, "bearer");
  EXPECT_EQ(c[1].param("realm"), "http://t/token");
  EXPECT_EQ(c[1].param("error"), "insufficient_scope");
}

TEST(auth_challenge, survives_junk) {
  EXPECT_TRUE(parse_www_authenticate("").empty());
  EXPECT_TRUE(parse_www_authenticate(" , ,").empty());
  auto c = parse_www_authenticate("Bearer realm=\"unterminated");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].param("realm"), "unterminated");
  auto d = parse_www_authenticate("Basic realm=a b c, Bearer");
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0].scheme, "basic");
  EXPECT_EQ(d.back().scheme, "bearer");
  EXPECT_LE(parse_www_authenticate(std::string(10000, '=')).size(), 10000u);
  EXPECT_LE(parse_www_authenticate(std::string(10000, '"')).size(), 10000u);
}

TEST(token_response, takes_token_or_access_token_and_bounds_the_lifetime) {
  auto a =
      parse_token_response(R"({"token":"t1","expires_in":300,"issued_at":"2024-01-01T00:00:00Z"})");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->token, "t1");
  EXPECT_EQ(a->expires_in, std::chrono::seconds(300));
  auto b = parse_token_response(R"({"access_token":"t2","refresh_token":"r","expires_in":5})");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->token, "t2");
  EXPECT_EQ(b->refresh_token, "r");
  EXPECT_EQ(b->expires_in, min_token_lifetime);
  auto c = parse_token_response(R"({"token":"t3"})");
  EXPECT_EQ(c->expires_in, min_token_lifetime);
  EXPECT_FALSE(parse_token_response(R"({"expires_in":60})"));
  EXPECT_FALSE(parse_token_response("not json"));
  EXPECT_EQ(berth::error_kind(parse_token_response("[]").error()), berth::errc::unauthorized);
}

TEST(token_response, scopes) {
  EXPECT_EQ(repository_scope("library/busybox", false), "repository:library/busybox:pull");
  EXPECT_EQ(repository_scope("me/app", true), "repository:me/app:pull,push");
}
