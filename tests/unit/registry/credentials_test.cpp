// Tests for registry/credentials.
#include <gtest/gtest.h>

#include "base/base64.hpp"
#include "base/error.hpp"
#include "registry/credentials.hpp"

using namespace berth::registry;
using berth::base64url_encode;

namespace {
std::string message_of(const caf::error& err) {
  return berth::error_message(err);
}
} // namespace

TEST(credentials, decodes_the_x_registry_auth_header) {
  registry_credentials in;
  in.username = "me";
  in.password = "s3cret/+?";
  in.server_address = "127.0.0.1:5000";
  auto header = encode_registry_auth(in);
  EXPECT_EQ(header.find_first_of("+/"), std::string::npos);
  auto out = decode_registry_auth(header);
  ASSERT_TRUE(out) << message_of(out.error());
  EXPECT_EQ(*out, in);
  EXPECT_FALSE(out->anonymous());
}

TEST(credentials, empty_and_empty_object_are_anonymous) {
  EXPECT_TRUE(decode_registry_auth("")->anonymous());
  EXPECT_TRUE(decode_registry_auth("e30=")->anonymous());
  EXPECT_TRUE(decode_registry_auth(base64url_encode("null"))->anonymous());
}

TEST(credentials, takes_tokens_and_unknown_fields) {
  auto out = decode_registry_auth(base64url_encode(
      R"({"identitytoken":"refresh","registrytoken":"bearer","email":"x@y","extra":{"a":1}})"));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->identity_token, "refresh");
  EXPECT_EQ(out->registry_token, "bearer");
  EXPECT_FALSE(out->anonymous());
}

TEST(credentials, splits_the_auth_field_when_alone) {
  auto out = parse_auth_config(R"({"auth":"dXNlcjpwYTpzcw==","serveraddress":"r"})");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->username, "user");
  EXPECT_EQ(out->password, "pa:ss");
  auto kept = parse_auth_config(R"({"username":"a","password":"b","auth":"dXNlcjpwYXNz"})");
  EXPECT_EQ(kept->username, "a");
}

TEST(credentials, rejects_malformed_headers_with_dockerds_words) {
  auto bad_base64 = decode_registry_auth("not base64!");
  ASSERT_FALSE(bad_base64);
  EXPECT_EQ(berth::error_kind(bad_base64.error()), berth::errc::invalid_argument);
  EXPECT_EQ(message_of(bad_base64.error()),
            "invalid X-Registry-Auth header: must be a valid base64url-encoded string");

  auto bad_json = decode_registry_auth(base64url_encode("{\"username\":"));
  ASSERT_FALSE(bad_json);
  EXPECT_TRUE(message_of(bad_json.error())
                  .starts_with("invalid X-Registry-Auth header: invalid "
                               "JSON: "));

  auto two = decode_registry_auth(base64url_encode("{} {}"));
  ASSERT_FALSE(two);
  EXPECT_EQ(message_of(two.error()),
            "invalid X-Registry-Auth header: multiple JSON documents not allowed");

  auto wrong_type = decode_registry_auth(base64url_encode(R"({"username":42})"));
  ASSERT_FALSE(wrong_type);
  EXPECT_NE(message_of(wrong_type.error()).find("AuthConfig.username of type string"),
            std::string::npos);

  auto array = parse_auth_config("[1]");
  ASSERT_FALSE(array);

  EXPECT_FALSE(decode_registry_auth(std::string(max_auth_config_bytes + 4, 'A')));
}

TEST(credentials, decodes_the_build_registry_config_header) {
  auto none = decode_registry_config("");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  auto configs = decode_registry_config(
      base64url_encode(R"({"127.0.0.1:5000":{"username":"alice","password":"secret"},)"
                       R"("https://index.docker.io/v1/":{"auth":"Ym9iOnB3"}})"));
  ASSERT_TRUE(configs) << message_of(configs.error());
  ASSERT_EQ(configs->size(), 2u);
  EXPECT_EQ(configs->at("127.0.0.1:5000").username, "alice");
  EXPECT_EQ(configs->at("127.0.0.1:5000").password, "secret");
  EXPECT_EQ(configs->at("https://index.docker.io/v1/").username, "bob");
  EXPECT_EQ(configs->at("https://index.docker.io/v1/").password, "pw");

  EXPECT_FALSE(decode_registry_config("not base64!"));
  EXPECT_FALSE(decode_registry_config(base64url_encode("[]")));
  EXPECT_FALSE(decode_registry_config(base64url_encode(R"({"r":{"username":1}})")));
  EXPECT_FALSE(decode_registry_config(std::string(max_auth_config_bytes + 4, 'A')));
}
