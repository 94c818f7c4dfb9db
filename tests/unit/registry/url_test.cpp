// Tests for registry/url.
#include <gtest/gtest.h>

#include "registry/url.hpp"

using berth::registry::url;

TEST(url, parses_scheme_host_port_and_target) {
  auto u = url::parse("https://Registry-1.Docker.io/v2/library/busybox/manifests/latest");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "registry-1.docker.io");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/v2/library/busybox/manifests/latest");
  EXPECT_EQ(u->authority(), "registry-1.docker.io");
  EXPECT_EQ(u->endpoint_key(), "https://registry-1.docker.io:443");

  auto v = url::parse("http://127.0.0.1:5000");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->port, 5000);
  EXPECT_EQ(v->target, "/");
  EXPECT_EQ(v->authority(), "127.0.0.1:5000");

  auto w = url::parse("http://[::1]:8080/x?y=1#frag");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->host, "::1");
  EXPECT_EQ(w->target, "/x?y=1");
  EXPECT_EQ(w->authority(), "[::1]:8080");
}

TEST(url, refuses_what_is_not_an_http_url) {
  for (auto bad :
       {"", "registry/v2", "ftp://h/", "https://", "https://user:pw@h/", "http://h:0/",
        "http://h:70000/", "http://h:12x/", "http://h/a b", "http://[::1/", "http://h\x01/"})
    EXPECT_FALSE(url::parse(bad)) << bad;
}

TEST(url, resolves_locations) {
  auto base = *url::parse("https://reg:5000/v2/a/blobs/uploads/?x=1");
  EXPECT_EQ(base.resolve("/v2/a/blobs/uploads/123?_state=s")->string(),
            "https://reg:5000/v2/a/blobs/uploads/123?_state=s");
  EXPECT_EQ(base.resolve("https://cdn.example/blob?sig=1")->string(),
            "https://cdn.example/blob?sig=1");
  EXPECT_EQ(base.resolve("//other:1/p")->string(), "https://other:1/p");
  EXPECT_EQ(base.resolve("123")->string(), "https://reg:5000/v2/a/blobs/uploads/123");
  EXPECT_EQ(base.resolve("?q=2")->string(), "https://reg:5000/v2/a/blobs/uploads/?q=2");
  EXPECT_FALSE(base.resolve("ftp://x/"));
}

TEST(url, appends_encoded_query_parameters) {
  auto base = *url::parse("http://h/v2/a/blobs/uploads/u?_state=abc");
  EXPECT_EQ(base.with_query("digest", "sha256:ab").target,
            "/v2/a/blobs/uploads/u?_state=abc&digest=sha256%3Aab");
  auto plain = *url::parse("http://h/token");
  EXPECT_EQ(plain.with_query("scope", "repository:a/b:pull,push").target,
            "/token?scope=repository%3Aa%2Fb%3Apull%2Cpush");
}
