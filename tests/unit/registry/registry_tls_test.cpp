// TLS against the real docker-registry with a test CA made by openssl: verification with the
// CA in certs.d/<host:port>/, client certificates, name checks, and insecure registries (TLS
// without verification).
#include <filesystem>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "registry/repository.hpp"
#include "test_content.hpp"
#include "test_registry.hpp"

using namespace berth::registry;
using namespace berth::registry::testing;
using berth::error_message;

namespace {

std::string tls_yaml(const test_pki& pki, bool client_certs) {
  std::string yaml =
      "  tls:\n    certificate: " + pki.server_cert + "\n    key: " + pki.server_key + "\n";
  if (client_certs) yaml += "    clientcas:\n      - " + pki.ca_cert + "\n";
  return yaml;
}

/// A configuration where nothing is insecure, not even loopback (unlike dockerd's defaults).
registry_config strict_config(const std::string& certs_dir) {
  registry_config config;
  config.certs_dir = certs_dir;
  return config;
}

caf::expected<std::unique_ptr<repository>> open(const registry_config& config, http_client& http,
                                                const test_registry& reg, endpoint_use use) {
  auto ref = berth::storage::parse_normalized(reg.domain() + "/tls/app").value();
  return repository::open(http, config, ref, {}, use, quick_retries());
}

void copy(const std::string& from, const std::string& to) {
  std::filesystem::create_directories(std::filesystem::path(to).parent_path());
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
}

} // namespace

TEST(registry_tls, verifies_the_server_with_the_ca_from_certs_d) {
  temp_dir dir;
  test_pki pki(dir);
  test_registry reg(dir, {}, tls_yaml(pki, false));
  auto certs = dir / "certs.d";
  auto config = strict_config(certs);
  {
    http_client http({}, make_tls_policy(config));
    auto unknown = open(config, http, reg, endpoint_use::push);
    ASSERT_FALSE(unknown);
    EXPECT_NE(error_message(unknown.error()).find("x509: certificate signed by unknown authority"),
              std::string::npos)
        << error_message(unknown.error());
  }
  copy(pki.ca_cert, certs + "/" + reg.domain() + "/ca.crt");
  http_client http({}, make_tls_policy(config));
  auto push = open(config, http, reg, endpoint_use::push);
  ASSERT_TRUE(push) << error_message(push.error());
  EXPECT_EQ((*push)->endpoint().base.scheme, "https");
  auto manifest = push_image(**push, "1", "{}", {make_blob(256 * 1024, 30)});
  EXPECT_EQ((*push)->get_manifest("1").value().bytes, manifest);
}

TEST(registry_tls, presents_the_client_certificate_from_certs_d) {
  temp_dir dir;
  test_pki pki(dir);
  test_registry reg(dir, {}, tls_yaml(pki, true));
  auto certs = dir / "certs.d";
  auto host_dir = certs + "/" + reg.domain();
  copy(pki.ca_cert, host_dir + "/ca.crt");
  auto config = strict_config(certs);
  {
    http_client http({}, make_tls_policy(config));
    auto refused = open(config, http, reg, endpoint_use::pull);
    ASSERT_FALSE(refused);
    EXPECT_NE(error_message(refused.error()).find("remote error: tls: "), std::string::npos)
        << error_message(refused.error());
  }
  copy(pki.client_cert, host_dir + "/client.cert");
  copy(pki.client_key, host_dir + "/client.key");
  http_client http({}, make_tls_policy(config));
  auto repo = open(config, http, reg, endpoint_use::push);
  ASSERT_TRUE(repo) << error_message(repo.error());
  push_image(**repo, "1", "{}", {make_blob(1000, 31)});
  EXPECT_TRUE((*repo)->get_manifest("1"));
}

TEST(registry_tls, checks_the_name_in_the_certificate) {
  temp_dir dir;
  test_pki pki(dir, "IP:127.0.0.2"); // valid for another address than the one we dial
  test_registry reg(dir, {}, tls_yaml(pki, false));
  auto certs = dir / "certs.d";
  copy(pki.ca_cert, certs + "/" + reg.domain() + "/ca.crt");
  auto config = strict_config(certs);
  http_client http({}, make_tls_policy(config));
  auto mismatch = open(config, http, reg, endpoint_use::pull);
  ASSERT_FALSE(mismatch);
  EXPECT_NE(error_message(mismatch.error()).find("x509: certificate is not valid for this host"),
            std::string::npos)
      << error_message(mismatch.error());
}

TEST(registry_tls, insecure_registries_use_tls_without_verification) {
  temp_dir dir;
  test_pki pki(dir);
  test_registry reg(dir, {}, tls_yaml(pki, false));
  auto config = make_registry_config({}, {}, dir / "certs.d").value(); // 127.0.0.0/8 insecure
  http_client http({}, make_tls_policy(config));
  auto repo = open(config, http, reg, endpoint_use::push);
  ASSERT_TRUE(repo) << error_message(repo.error());
  EXPECT_EQ((*repo)->endpoint().base.scheme, "https");
  EXPECT_FALSE((*repo)->endpoint().tls_verify);
  push_image(**repo, "1", "{}", {make_blob(1000, 32)});
  EXPECT_TRUE((*repo)->get_manifest("1"));
}
