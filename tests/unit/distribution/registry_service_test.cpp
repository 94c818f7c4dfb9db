// Tests distribution/registry_service: settings validated with dockerd's messages, reloads,
// certs.d changes picked up by the next operation, docker login's server addresses.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "distribution/registry_service.hpp"

using namespace berth::distribution;

TEST(registry_service, validates_and_reloads_its_settings) {
  registry_settings s;
  s.insecure_registries = {"ftp://bad"};
  auto bad = registry_service::create(s, nullptr);
  ASSERT_FALSE(bad);
  EXPECT_EQ(berth::error_message(bad.error()),
            "insecure registry ftp://bad should not contain '://'");

  s.insecure_registries = {"myreg:5000"};
  s.max_concurrent_downloads = 2;
  auto service = registry_service::create(s, nullptr).value();
  EXPECT_EQ(service->downloads().limit(), 2u);
  EXPECT_EQ(service->current()->config.insecure_hosts, std::vector<std::string>{"myreg:5000"});
  auto before = service->current();

  s.max_concurrent_downloads = 7;
  s.max_download_attempts = 1;
  s.registry_mirrors = {"https://mirror.example"};
  ASSERT_FALSE(service->reconfigure(s));
  EXPECT_EQ(service->downloads().limit(), 7u);
  EXPECT_EQ(service->current()->repository.retry.max_attempts, 1);
  EXPECT_EQ(service->current()->config.mirrors,
            std::vector<std::string>{"https://mirror.example/"});
  EXPECT_NE(service->current(), before); // operations in flight keep theirs

  s.registry_mirrors = {"ftp://m"};
  EXPECT_TRUE(service->reconfigure(s));
  EXPECT_EQ(service->current()->config.mirrors,
            std::vector<std::string>{"https://mirror.example/"});
}

TEST(registry_service, a_changed_certs_dir_gives_a_new_client) {
  auto dir = std::filesystem::temp_directory_path() / ("berth-certs-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  registry_settings s;
  s.certs_dir = dir.string();
  auto service = registry_service::create(s, nullptr).value();
  auto first = service->current();
  EXPECT_EQ(service->current(), first);
  std::filesystem::create_directories(dir / "myreg:5000");
  std::ofstream(dir / "myreg:5000" / "ca.crt") << "not really a certificate\n";
  auto second = service->current();
  EXPECT_NE(second, first);
  EXPECT_EQ(service->current(), second);
  std::filesystem::remove_all(dir);
}

TEST(registry_service, login_domains_like_dockerd) {
  EXPECT_EQ(login_domain(""), "docker.io");
  EXPECT_EQ(login_domain("https://index.docker.io/v1/"), "docker.io");
  EXPECT_EQ(login_domain("registry-1.docker.io"), "docker.io");
  EXPECT_EQ(login_domain("127.0.0.1:5000"), "127.0.0.1:5000");
  EXPECT_EQ(login_domain("http://myreg:5000/some/path"), "myreg:5000");
}

TEST(registry_service, build_credentials_are_picked_by_registry_like_dockerd) {
  berth::registry::registry_auth_configs configs;
  configs["https://index.docker.io/v1/"].username = "hub";
  configs["http://127.0.0.1:5000/v2/"].username = "local";
  configs["127.0.0.1:6000"].username = "exact";
  EXPECT_EQ(credentials_for_domain(configs, "docker.io").username, "hub");
  EXPECT_EQ(credentials_for_domain(configs, "127.0.0.1:5000").username, "local");
  EXPECT_EQ(credentials_for_domain(configs, "127.0.0.1:6000").username, "exact");
  EXPECT_TRUE(credentials_for_domain(configs, "127.0.0.1:7000").anonymous());
}
