// Authentication against the real docker-registry: htpasswd Basic auth, and token auth with a
// token server of the test that signs real JWTs (anonymous and with credentials, token or
// access_token, identity tokens from a login); `docker login`'s validation.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "registry/login.hpp"
#include "registry/registry_error.hpp"
#include "registry/repository.hpp"
#include "storage/digest.hpp"
#include "test_content.hpp"
#include "test_registry.hpp"
#include "test_token_server.hpp"

using namespace berth::registry;
using namespace berth::registry::testing;
using berth::error_message;
using berth::storage::sha256_digest;

namespace {

class registry_auth : public ::testing::Test {
 protected:
  registry_auth()
      : config_(make_registry_config({}, {}, "").value()), http_({}, make_tls_policy(config_)) {}

  caf::expected<std::unique_ptr<repository>> open(const test_registry& reg, const std::string& name,
                                                  endpoint_use use, registry_credentials creds) {
    auto ref = berth::storage::parse_normalized(reg.domain() + "/" + name).value();
    return repository::open(http_, config_, ref, std::move(creds), use, quick_retries());
  }

  static registry_credentials alice(std::string password = "secret") {
    registry_credentials c;
    c.username = "alice";
    c.password = std::move(password);
    return c;
  }

  temp_dir dir_;
  registry_config config_;
  http_client http_;
};

} // namespace

TEST_F(registry_auth, htpasswd_basic_auth) {
  auto htpasswd = run_checked({"htpasswd", "-Bbn", "alice", "secret"});
  write_file(dir_ / "htpasswd", htpasswd);
  test_registry reg(
      dir_, "auth:\n  htpasswd:\n    realm: berth-realm\n    path: " + (dir_ / "htpasswd") + "\n");

  // The credentials travel as the CLI sends them, in X-Registry-Auth.
  auto header = encode_registry_auth(alice());
  auto creds = decode_registry_auth(header).value();
  auto push = open(reg, "private/app", endpoint_use::push, creds);
  ASSERT_TRUE(push) << error_message(push.error());
  auto manifest = push_image(**push, "1", "{}", {make_blob(100 * 1024, 20)});
  auto pulled = (*push)->get_manifest("1");
  ASSERT_TRUE(pulled) << error_message(pulled.error());
  EXPECT_EQ(pulled->bytes, manifest);

  auto anonymous = open(reg, "private/app", endpoint_use::pull, {});
  ASSERT_TRUE(anonymous) << error_message(anonymous.error());
  auto refused = (*anonymous)->get_manifest("1");
  ASSERT_FALSE(refused);
  EXPECT_EQ(berth::error_kind(refused.error()), berth::errc::unauthorized);
  EXPECT_EQ(error_message(refused.error()), "unauthorized: authentication required");

  auto wrong = open(reg, "private/app", endpoint_use::pull, alice("wrong"));
  ASSERT_TRUE(wrong);
  EXPECT_FALSE((*wrong)->get_manifest("1"));

  auto ok = login(http_, config_, reg.domain(), alice());
  ASSERT_TRUE(ok) << error_message(ok.error());
  EXPECT_EQ(ok->status, "Login Succeeded");
  EXPECT_TRUE(ok->identity_token.empty());
  auto bad = login(http_, config_, reg.domain(), alice("wrong"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(berth::error_kind(bad.error()), berth::errc::unauthorized);
  EXPECT_EQ(error_message(bad.error()), "login attempt to http://" + reg.domain() +
                                            "/v2/ failed with status: 401 Unauthorized");
  // The registry's log never sees the password in a URL, and neither does our error.
  EXPECT_EQ(error_message(bad.error()).find("wrong"), std::string::npos);
}

TEST_F(registry_auth, token_auth_with_a_real_registry) {
  test_token_server tokens(dir_);
  test_registry reg(dir_, tokens.registry_yaml());

  auto push = open(reg, "team/app", endpoint_use::push, alice());
  ASSERT_TRUE(push) << error_message(push.error());
  auto layer = make_blob(64 * 1024, 21);
  auto manifest = push_image(**push, "1", "{}", {layer});
  EXPECT_EQ((*push)->get_manifest("1").value().bytes, manifest);
  // One token for the repository's scope, reused by every request of the push.
  EXPECT_EQ(tokens.token_requests(), 1);

  // Without credentials the token carries no access: the registry refuses.
  auto anonymous = open(reg, "team/app", endpoint_use::pull, {});
  ASSERT_TRUE(anonymous) << error_message(anonymous.error());
  auto refused = (*anonymous)->get_manifest("1");
  ASSERT_FALSE(refused);
  EXPECT_EQ(berth::error_kind(refused.error()), berth::errc::unauthorized);

  // Anonymous pulls of public repositories work, also with `access_token` answers.
  auto public_push = open(reg, "public/app", endpoint_use::push, alice());
  ASSERT_TRUE(public_push);
  push_image(**public_push, "1", "{}", {layer});
  tokens.use_access_token = true;
  auto public_pull = open(reg, "public/app", endpoint_use::pull, {});
  ASSERT_TRUE(public_pull);
  auto got = (*public_pull)->get_manifest("1");
  ASSERT_TRUE(got) << error_message(got.error());
  string_blob_sink sink(1 << 20);
  ASSERT_TRUE((*public_pull)->fetch_blob(sha256_digest(layer), sink));
  EXPECT_TRUE(sink.data() == layer);

  // A cross-repository mount asks for a token covering both repositories.
  auto target = open(reg, "team/other", endpoint_use::push, alice());
  ASSERT_TRUE(target);
  blob_push_options mount;
  mount.mount_from = {"team/app"};
  auto mounted = (*target)->push_blob(sha256_digest(layer), layer.size(), opener_of(layer), mount);
  ASSERT_TRUE(mounted) << error_message(mounted.error());
  EXPECT_EQ(mounted->mounted_from, "team/app");
}

TEST_F(registry_auth, login_against_a_token_registry_returns_an_identity_token) {
  test_token_server tokens(dir_);
  test_registry reg(dir_, tokens.registry_yaml());
  auto ok = login(http_, config_, reg.domain(), alice());
  ASSERT_TRUE(ok) << error_message(ok.error());
  EXPECT_EQ(ok->status, "Login Succeeded");
  EXPECT_EQ(ok->identity_token, "refresh-alice");

  // The identity token replaces the password on later pushes (an OAuth refresh-token grant).
  registry_credentials identity;
  identity.identity_token = ok->identity_token;
  auto push = open(reg, "team/app", endpoint_use::push, identity);
  ASSERT_TRUE(push);
  push_image(**push, "1", "{}", {make_blob(1000, 22)});
  EXPECT_GE(tokens.refresh_grants(), 1);

  auto bad = login(http_, config_, reg.domain(), alice("wrong"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(berth::error_kind(bad.error()), berth::errc::unauthorized);
  EXPECT_NE(error_message(bad.error()).find("unauthorized: incorrect username or password"),
            std::string::npos)
      << error_message(bad.error());
}
