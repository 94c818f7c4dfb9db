// Tests for registry/registry_config: insecure registries, mirrors, endpoints.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "registry/registry_config.hpp"

using namespace berth::registry;

namespace {
std::string message_of(const caf::error& err) {
  return berth::error_message(err);
}
} // namespace

TEST(registry_config, loopback_is_insecure_by_default_like_dockerd) {
  auto config = make_registry_config({}, {}, "");
  ASSERT_TRUE(config);
  EXPECT_FALSE(is_secure(*config, "127.0.0.1:5000"));
  EXPECT_FALSE(is_secure(*config, "127.8.9.10"));
  EXPECT_FALSE(is_secure(*config, "localhost:5000"));
  EXPECT_FALSE(is_secure(*config, "[::1]:5000"));
  EXPECT_TRUE(is_secure(*config, "10.0.0.1:5000"));
  EXPECT_TRUE(is_secure(*config, "myregistry.example:5000"));
  EXPECT_TRUE(is_secure(*config, "docker.io"));
}

TEST(registry_config, matches_cidrs_and_host_names) {
  auto config = make_registry_config(
      {"10.1.0.0/16", "myreg:5000", "http://plain.example", "fd00::/8", "docker.io"}, {}, "");
  ASSERT_TRUE(config) << message_of(config.error());
  EXPECT_FALSE(is_secure(*config, "10.1.2.3:443"));
  EXPECT_TRUE(is_secure(*config, "10.2.0.1"));
  EXPECT_FALSE(is_secure(*config, "myreg:5000"));
  EXPECT_TRUE(is_secure(*config, "myreg:5001"));
  EXPECT_TRUE(is_secure(*config, "myreg"));
  EXPECT_FALSE(is_secure(*config, "plain.example"));
  EXPECT_FALSE(is_secure(*config, "[fd12::1]:5000"));
  EXPECT_TRUE(is_secure(*config, "docker.io"));
}

TEST(registry_config, refuses_invalid_entries_with_dockerds_words) {
  auto scheme = make_registry_config({"ftp://x"}, {}, "");
  ASSERT_FALSE(scheme);
  EXPECT_EQ(message_of(scheme.error()), "insecure registry ftp://x should not contain '://'");
  EXPECT_EQ(berth::error_kind(scheme.error()), berth::errc::invalid_argument);
  auto hyphen = make_registry_config({"-bad"}, {}, "");
  ASSERT_FALSE(hyphen);
  EXPECT_EQ(message_of(hyphen.error()),
            "invalid index name (-bad). Cannot begin or end with a hyphen");
  EXPECT_FALSE(make_registry_config({"10.0.0.0/33"}, {}, ""));
  EXPECT_FALSE(make_registry_config({"bad host!"}, {}, ""));
  EXPECT_FALSE(make_registry_config({"h:99999"}, {}, ""));
}

TEST(registry_config, validates_mirrors) {
  EXPECT_EQ(validate_mirror("https://mirror.example").value(), "https://mirror.example/");
  EXPECT_EQ(validate_mirror("http://127.0.0.1:5001/").value(), "http://127.0.0.1:5001/");
  EXPECT_EQ(message_of(validate_mirror("mirror.example").error()),
            "invalid mirror: no scheme specified for \"mirror.example\": must use either "
            "'https://' or 'http://'");
  EXPECT_EQ(message_of(validate_mirror("ftp://m").error()),
            "invalid mirror: unsupported scheme \"ftp\" in \"ftp://m\": must use either "
            "'https://' or 'http://'");
  EXPECT_FALSE(validate_mirror("https://m/?q=1"));
  auto credentials = validate_mirror("https://u:p@m/");
  ASSERT_FALSE(credentials);
  EXPECT_EQ(message_of(credentials.error()).find(":p@"), std::string::npos);
}

TEST(registry_config, docker_hub_endpoints_put_mirrors_first_for_pulls_only) {
  auto config = make_registry_config({}, {"https://m1.example", "http://127.0.0.1:5001"}, "");
  ASSERT_TRUE(config);
  auto pull = lookup_endpoints(*config, "docker.io", endpoint_use::pull);
  ASSERT_TRUE(pull);
  ASSERT_EQ(pull->size(), 3u);
  EXPECT_EQ((*pull)[0].base.string(), "https://m1.example/");
  EXPECT_TRUE((*pull)[0].mirror);
  EXPECT_TRUE((*pull)[0].tls_verify);
  EXPECT_EQ((*pull)[1].base.string(), "http://127.0.0.1:5001/");
  EXPECT_EQ((*pull)[2].base.string(), "https://registry-1.docker.io/");
  EXPECT_TRUE((*pull)[2].official);
  EXPECT_EQ((*pull)[2].api("library/busybox/manifests/latest").string(),
            "https://registry-1.docker.io/v2/library/busybox/manifests/latest");
  auto push = lookup_endpoints(*config, "docker.io", endpoint_use::push);
  ASSERT_EQ(push->size(), 1u);
  EXPECT_TRUE((*push)[0].official);
}

TEST(registry_config, insecure_registries_fall_back_from_https_to_http) {
  auto config = make_registry_config({}, {}, "");
  auto local = lookup_endpoints(*config, "127.0.0.1:5000", endpoint_use::pull);
  ASSERT_TRUE(local);
  ASSERT_EQ(local->size(), 2u);
  EXPECT_EQ((*local)[0].base.string(), "https://127.0.0.1:5000/");
  EXPECT_FALSE((*local)[0].tls_verify);
  EXPECT_EQ((*local)[1].base.string(), "http://127.0.0.1:5000/");
  auto secure = lookup_endpoints(*config, "reg.example:5000", endpoint_use::pull);
  ASSERT_EQ(secure->size(), 1u);
  EXPECT_TRUE((*secure)[0].tls_verify);
  EXPECT_EQ((*secure)[0].api("").string(), "https://reg.example:5000/v2/");
}

TEST(registry_config, mirror_with_a_path_prefix) {
  registry_endpoint e{*url::parse("https://m.example/prefix/"), true};
  EXPECT_EQ(e.api("a/b/tags/list").string(), "https://m.example/prefix/v2/a/b/tags/list");
}

TEST(ip_prefix, parses_and_contains) {
  auto p = ip_prefix::parse("192.168.1.77/24");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->contains("192.168.1.1"));
  EXPECT_FALSE(p->contains("192.168.2.1"));
  EXPECT_FALSE(p->contains("::1"));
  EXPECT_EQ(p, ip_prefix::parse("192.168.1.0/24"));
  EXPECT_TRUE(ip_prefix::parse("0.0.0.0/0")->contains("8.8.8.8"));
  EXPECT_TRUE(ip_prefix::parse("::1/128")->contains("::1"));
  EXPECT_FALSE(ip_prefix::parse("::1/128")->contains("::2"));
  EXPECT_FALSE(ip_prefix::parse("1.2.3.4"));
  EXPECT_FALSE(ip_prefix::parse("1.2.3.4/"));
  EXPECT_FALSE(ip_prefix::parse("::/129"));
}
