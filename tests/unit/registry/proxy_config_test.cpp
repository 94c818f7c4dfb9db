// Tests for registry/no_proxy and registry/proxy_config: Go's NO_PROXY rules, the loopback
// rule, per-scheme proxies, and dockerd's precedence of configured values over the environment.
#include <map>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "registry/proxy_config.hpp"

using namespace berth::registry;
using berth::error_message;

namespace {

env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

proxy_config both(const std::string& no_proxy) {
  proxy_settings s{{"http://proxy:3128", "http-proxy"},
                   {"http://proxy:3128", "https-proxy"},
                   {no_proxy, "no-proxy"}};
  return proxy_config::make(s).value();
}

bool proxied(const proxy_config& c, const std::string& u) {
  return c.proxy_for(*url::parse(u)) != nullptr;
}

} // namespace

TEST(no_proxy, matches_names_and_their_subdomains) {
  auto list = no_proxy_list::parse(" Example.com , .sub.test,*.star.test,");
  EXPECT_TRUE(list.matches("example.com", 443));
  EXPECT_TRUE(list.matches("registry.example.com", 5000));
  EXPECT_FALSE(list.matches("notexample.com", 443));
  EXPECT_FALSE(list.matches("example.com.evil", 443));
  // A leading dot (or "*.") matches subdomains only.
  EXPECT_TRUE(list.matches("a.sub.test", 443));
  EXPECT_FALSE(list.matches("sub.test", 443));
  EXPECT_TRUE(list.matches("a.star.test", 443));
  EXPECT_FALSE(list.matches("star.test", 443));
  EXPECT_FALSE(list.matches("other.test", 443));
}

TEST(no_proxy, matches_addresses_cidrs_and_ports) {
  auto list = no_proxy_list::parse("10.0.0.0/8,192.0.2.7,2001:db8::/32,[2001:db9::1]:443,"
                                   "host.test:5000,198.51.100.1:80");
  EXPECT_TRUE(list.matches("10.20.30.40", 443));
  EXPECT_FALSE(list.matches("11.0.0.1", 443));
  EXPECT_TRUE(list.matches("192.0.2.7", 1));
  EXPECT_FALSE(list.matches("192.0.2.8", 1));
  EXPECT_TRUE(list.matches("2001:db8::5", 443));
  EXPECT_TRUE(list.matches("2001:db9::1", 443));
  EXPECT_FALSE(list.matches("2001:db9::1", 80));
  EXPECT_TRUE(list.matches("host.test", 5000));
  EXPECT_TRUE(list.matches("a.host.test", 5000));
  EXPECT_FALSE(list.matches("host.test", 443));
  EXPECT_TRUE(list.matches("198.51.100.1", 80));
  EXPECT_FALSE(list.matches("198.51.100.1", 443));
  // A CIDR matches addresses, never names.
  EXPECT_FALSE(list.matches("ten.example", 443));
}

TEST(no_proxy, star_matches_everything_and_garbage_matches_nothing) {
  EXPECT_TRUE(no_proxy_list::parse("a.test, *").matches("anything.example", 1));
  auto garbage = no_proxy_list::parse(":80,,10.0.0.0/99, ,");
  EXPECT_FALSE(garbage.matches("10.0.0.1", 80));
  EXPECT_FALSE(garbage.matches("example.com", 80));
  EXPECT_FALSE(no_proxy_list::parse("").matches("example.com", 443));
}

TEST(proxy_config, picks_the_proxy_by_scheme_and_skips_no_proxy_and_loopback) {
  proxy_settings s{{"http://plain-proxy:3128", "http-proxy"},
                   {"https://tls-proxy", "https-proxy"},
                   {"internal.test", "no-proxy"}};
  auto c = proxy_config::make(s).value();
  ASSERT_TRUE(c.enabled());
  EXPECT_EQ(c.proxy_for(*url::parse("http://registry.example/v2/"))->endpoint(),
            "plain-proxy:3128");
  EXPECT_EQ(c.proxy_for(*url::parse("https://registry.example/v2/"))->endpoint(), "tls-proxy:443");
  EXPECT_FALSE(proxied(c, "https://reg.internal.test/v2/"));
  // Go never proxies localhost and loopback addresses, whatever NO_PROXY says.
  for (const char* loopback : {"https://localhost:5000/v2/", "https://127.0.0.1:5000/v2/",
                               "http://127.9.9.9/v2/", "https://[::1]:5000/v2/"})
    EXPECT_FALSE(proxied(c, loopback)) << loopback;
  EXPECT_TRUE(proxied(both(""), "https://registry-1.docker.io/v2/"));
  EXPECT_TRUE(proxied(both(""), "https://10.0.0.1/v2/"));
  EXPECT_FALSE(proxied(both("*"), "https://registry-1.docker.io/v2/"));
  EXPECT_FALSE(proxied(both("docker.io"), "https://registry-1.docker.io/v2/"));
  EXPECT_FALSE(proxied(both("registry-1.docker.io:443"), "https://registry-1.docker.io/v2/"));
  EXPECT_TRUE(proxied(both("registry-1.docker.io:80"), "https://registry-1.docker.io/v2/"));
}

TEST(proxy_config, without_settings_everything_goes_direct) {
  auto c = proxy_config::make({}).value();
  EXPECT_FALSE(c.enabled());
  EXPECT_FALSE(proxied(c, "https://registry-1.docker.io/v2/"));
  // Only https configured: http requests go direct.
  auto https_only = proxy_config::make({{}, {"http://p:1", "https-proxy"}, {}}).value();
  EXPECT_FALSE(proxied(https_only, "http://registry.example/v2/"));
  EXPECT_TRUE(proxied(https_only, "https://registry.example/v2/"));
}

TEST(proxy_config, configured_values_win_over_the_environment_key_by_key) {
  auto env = env_of({{"HTTP_PROXY", "http://env-upper:1"},
                     {"http_proxy", "http://env-lower:1"},
                     {"https_proxy", "http://env-lower-https:2"},
                     {"NO_PROXY", ""},
                     {"no_proxy", "lower.test"}});
  auto s = resolve_proxy_settings("", "http://configured:3", "", env);
  EXPECT_EQ(s.http, (proxy_setting{"http://env-upper:1", "environment variable HTTP_PROXY"}));
  EXPECT_EQ(s.https, (proxy_setting{"http://configured:3", "https-proxy"}));
  // An empty upper-case variable does not hide the lower-case one (Go's getEnvAny).
  EXPECT_EQ(s.no_proxy, (proxy_setting{"lower.test", "environment variable no_proxy"}));
  auto none = resolve_proxy_settings("", "", "", env_of({}));
  EXPECT_EQ(none, proxy_settings{});
}

TEST(proxy_config, invalid_urls_are_refused_naming_the_setting) {
  auto bad = proxy_config::make({{}, {"ftp://u:pw@p", "environment variable HTTPS_PROXY"}, {}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(error_message(bad.error()),
            "invalid environment variable HTTPS_PROXY: invalid proxy URL \"ftp://xxxxx:xxxxx@p\": "
            "unsupported scheme \"ftp\" (use http:// or https://)");
}

TEST(proxy_config, authorization_is_basic_from_the_url) {
  EXPECT_EQ(proxy_authorization(berth::proxy_url::parse("http://aladdin:opensesame@p").value()),
            "Basic YWxhZGRpbjpvcGVuc2VzYW1l");
  EXPECT_EQ(proxy_authorization(berth::proxy_url::parse("http://p").value()), "");
}
