// Tests for base/proxy_url: parsing as Go's httpproxy reads proxies, and dockerd's masking.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/proxy_url.hpp"

using berth::error_message;
using berth::mask_proxy_credentials;
using berth::proxy_url;

TEST(proxy_url, parses_scheme_host_port_and_credentials) {
  auto p = proxy_url::parse("http://alice:s%40cret@Proxy.Example:3128/");
  ASSERT_TRUE(p) << error_message(p.error());
  EXPECT_EQ(p->scheme, "http");
  EXPECT_EQ(p->host, "proxy.example");
  EXPECT_EQ(p->port, 3128);
  EXPECT_TRUE(p->has_credentials);
  EXPECT_EQ(p->username, "alice");
  EXPECT_EQ(p->password, "s@cret");
  EXPECT_EQ(p->endpoint(), "proxy.example:3128");
}

TEST(proxy_url, defaults_ports_by_scheme_and_takes_a_bare_host_as_http) {
  EXPECT_EQ(proxy_url::parse("http://p").value().port, 80);
  EXPECT_EQ(proxy_url::parse("https://p").value().port, 443);
  auto bare = proxy_url::parse("10.1.2.3:8080").value();
  EXPECT_EQ(bare.scheme, "http");
  EXPECT_EQ(bare.endpoint(), "10.1.2.3:8080");
  EXPECT_FALSE(bare.has_credentials);
  auto v6 = proxy_url::parse("http://[::1]:3128").value();
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.endpoint(), "[::1]:3128");
  EXPECT_EQ(proxy_url::parse("http://user@p:1").value().username, "user");
}

TEST(proxy_url, refuses_what_does_not_parse_without_showing_the_password) {
  for (const char* bad : {"", "ftp://p:21", "socks5://p:1080", "http://", "http://:3128",
                          "http://p:0", "http://p:65536", "http://p:x", "http://p q:1",
                          "http://[zz]:1", "http://u:p%zz@p:1", "http://p:"}) {
    auto p = proxy_url::parse(bad);
    EXPECT_FALSE(p) << bad;
    if (!p) {
      EXPECT_NE(error_message(p.error()).find("invalid proxy URL"), std::string::npos);
    }
  }
  auto err = proxy_url::parse("ftp://bob:hunter2@p:21");
  ASSERT_FALSE(err);
  EXPECT_EQ(error_message(err.error()),
            "invalid proxy URL \"ftp://xxxxx:xxxxx@p:21\": unsupported scheme \"ftp\" (use "
            "http:// or https://)");
}

TEST(proxy_url, masks_credentials_like_dockerd) {
  EXPECT_EQ(mask_proxy_credentials("http://bob:hunter2@proxy:3128"),
            "http://xxxxx:xxxxx@proxy:3128");
  EXPECT_EQ(mask_proxy_credentials("https://bob@proxy/path"), "https://xxxxx:xxxxx@proxy/path");
  EXPECT_EQ(mask_proxy_credentials("http://proxy:3128"), "http://proxy:3128");
  EXPECT_EQ(mask_proxy_credentials("proxy:3128"), "proxy:3128");
  EXPECT_EQ(mask_proxy_credentials(""), "");
}
