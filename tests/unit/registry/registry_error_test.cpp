// Tests for registry/registry_error and registry/tls_settings.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "registry/registry_error.hpp"
#include "registry/tls_settings.hpp"

using namespace berth::registry;
using berth::errc;

namespace {

std::string message_of(const caf::error& err) {
  return berth::error_message(err);
}

http_response response(int status, std::string body, std::string reason = {}) {
  http_response r;
  r.status = status;
  r.body = std::move(body);
  r.reason = std::move(reason);
  return r;
}

} // namespace

TEST(registry_error, renders_the_first_error_like_dockerd) {
  auto err = response_error(response(
      404,
      R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}},{"code":"OTHER"}]})"));
  EXPECT_EQ(message_of(err), "manifest unknown: manifest unknown");
  EXPECT_EQ(berth::error_kind(err), errc::not_found);
  auto denied = response_error(response(
      403,
      R"({"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]})"));
  EXPECT_EQ(message_of(denied), "denied: requested access to the resource is denied");
  EXPECT_EQ(berth::error_kind(denied), errc::forbidden);
  auto unauthorized = response_error(response(
      401,
      R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]})"));
  EXPECT_EQ(message_of(unauthorized), "unauthorized: authentication required");
  EXPECT_EQ(berth::error_kind(unauthorized), errc::unauthorized);
}

TEST(registry_error, falls_back_to_the_status) {
  EXPECT_EQ(message_of(response_error(response(401, ""))), "unauthorized: authentication required");
  EXPECT_EQ(message_of(response_error(response(429, "slow down"))),
            "toomanyrequests: too many requests");
  auto server = response_error(response(502, "<html>", "Bad Gateway"));
  EXPECT_EQ(message_of(server), "received unexpected HTTP status: 502 Bad Gateway");
  EXPECT_TRUE(is_transient(server));
  EXPECT_TRUE(is_transient(response_error(response(429, ""))));
  EXPECT_FALSE(is_transient(response_error(response(404, ""))));
  EXPECT_FALSE(
      is_transient(response_error(response(400, "{\"errors\":[{\"code\":\"DIGEST_INVALID\"}]}"))));
  EXPECT_TRUE(parse_error_body("{\"errors\":\"no\"}").empty());
  EXPECT_TRUE(parse_error_body("garbage").empty());
}

TEST(registry_error, translates_pull_errors_like_dockerd) {
  auto ref = berth::storage::parse_normalized("127.0.0.1:5000/team/app:1").value();
  auto denied = translate_pull_error(
      berth::make_error(errc::forbidden, "denied: requested access to the resource is denied"),
      ref);
  EXPECT_EQ(message_of(denied),
            "pull access denied for 127.0.0.1:5000/team/app, repository does not exist or may "
            "require 'docker login': denied: requested access to the resource is denied");
  EXPECT_EQ(berth::error_kind(denied), errc::not_found);
  auto unknown = translate_pull_error(
      berth::make_error(errc::not_found, "manifest unknown: manifest unknown"), ref);
  EXPECT_EQ(message_of(unknown),
            "manifest for 127.0.0.1:5000/team/app:1 not found: manifest unknown: manifest unknown");
  auto hub = berth::storage::parse_normalized("busybox").value();
  auto name = translate_pull_error(
      berth::make_error(errc::not_found, "name unknown: repository name not known to registry"),
      hub);
  EXPECT_EQ(message_of(name),
            "repository busybox not found: name unknown: repository name not known to registry");
  auto other = berth::make_error(errc::unavailable, "Get \"x\": i/o timeout");
  EXPECT_EQ(message_of(translate_pull_error(other, ref)), "Get \"x\": i/o timeout");
}

TEST(tls_settings, reads_a_certs_d_directory) {
  auto root =
      std::filesystem::temp_directory_path() / ("berth-certs-" + std::to_string(::getpid()));
  std::filesystem::create_directories(root / "reg:5000");
  auto touch = [&](const char* name) { std::ofstream(root / "reg:5000" / name) << "x"; };
  touch("ca.crt");
  touch("extra.crt");
  touch("client.cert");
  touch("client.key");
  auto settings = load_certs_dir(root.string(), "reg:5000");
  ASSERT_TRUE(settings) << message_of(settings.error());
  EXPECT_EQ(settings->ca_files.size(), 2u);
  EXPECT_TRUE(settings->client_cert.ends_with("client.cert"));
  EXPECT_TRUE(settings->client_key.ends_with("client.key"));
  EXPECT_TRUE(settings->verify);

  auto missing = load_certs_dir(root.string(), "other:1");
  ASSERT_TRUE(missing);
  EXPECT_TRUE(missing->ca_files.empty());
  EXPECT_TRUE(load_certs_dir("", "reg:5000")->ca_files.empty());
  EXPECT_TRUE(load_certs_dir(root.string(), "..")->ca_files.empty());

  std::filesystem::remove(root / "reg:5000" / "client.key");
  auto lonely = load_certs_dir(root.string(), "reg:5000");
  ASSERT_FALSE(lonely);
  EXPECT_EQ(message_of(lonely.error()), "missing key client.key for client certificate "
                                        "client.cert. CA certificates must use the extension .crt");
  std::filesystem::remove_all(root);
}
