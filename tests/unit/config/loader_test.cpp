// Tests config/loader: defaults, daemon.json, flag conflicts, validation and reload.
#include <cstdlib>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "config/loader.hpp"

using namespace berth;
using namespace berth::config;

namespace {

class loader_test : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-config-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    file_ = dir_ + "/daemon.json";
  }
  void TearDown() override { (void)sys::remove_all(dir_); }

  void write(const std::string& text) { ASSERT_FALSE(sys::write_file_atomic(file_, text)); }

  caf::expected<loaded_config> load(std::vector<std::string> args) {
    args.push_back("--config-file=" + file_);
    auto cl = parse_command_line(args);
    EXPECT_TRUE(cl);
    return load_config(*cl);
  }

  std::string dir_;
  std::string file_;
};

} // namespace

TEST_F(loader_test, defaults_match_the_issue) {
  write("{}");
  auto r = load({});
  ASSERT_TRUE(r) << error_message(r.error());
  const auto& c = r->config;
  EXPECT_EQ(c.hosts, std::vector<std::string>{"unix:///run/berth/berth.sock"});
  EXPECT_EQ(c.data_root, "/var/lib/berth");
  EXPECT_EQ(c.exec_root, "/run/berth");
  EXPECT_EQ(c.metrics_addr, "127.0.0.1:9323");
  EXPECT_EQ(c.pidfile_path(), "/run/berth/berthd.pid");
  EXPECT_TRUE(c.live_restore);
  EXPECT_EQ(c.max_concurrent_downloads, 3);
}

TEST_F(loader_test, file_values_apply_and_flags_add_to_them) {
  write(R"({"data-root": "/srv/b", "log-level": "debug", "labels": ["x=1"]})");
  auto r = load({"--exec-root", "/run/b2"});
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(r->config.data_root, "/srv/b");
  EXPECT_EQ(r->config.exec_root, "/run/b2");
  EXPECT_EQ(r->config.log_level, log::level::debug);
  EXPECT_EQ(r->config.labels, std::vector<std::string>{"x=1"});
}

TEST_F(loader_test, missing_default_file_is_fine_but_named_file_is_not) {
  auto r = load({});
  ASSERT_FALSE(r);
  EXPECT_NE(error_message(r.error()).find("No such file"), std::string::npos);
}

TEST_F(loader_test, unknown_keys_are_named) {
  write(R"({"data-root": "/srv/b", "frobnicate": 1, "cluster-store": "x"})");
  auto r = load({});
  ASSERT_FALSE(r);
  EXPECT_EQ(error_message(r.error()),
            "unable to configure berthd with file " + file_ +
                ": the following directives don't match any configuration option: "
                "cluster-store, frobnicate");
}

TEST_F(loader_test, flag_and_file_conflict_is_refused) {
  write(R"({"debug": false})");
  auto r = load({"-D"});
  ASSERT_FALSE(r);
  EXPECT_NE(error_message(r.error()).find(
                "specified both as a flag and in the configuration file: debug: (from flag: "
                "true, from file: false)"),
            std::string::npos);
}

TEST_F(loader_test, invalid_values_name_the_key) {
  write(R"({"log-level": "chatty"})");
  auto r = load({});
  ASSERT_FALSE(r);
  EXPECT_EQ(error_message(r.error()),
            "invalid value for key \"log-level\" in " + file_ + ": invalid log level: chatty");
  write(R"({"mtu": "big"})");
  r = load({});
  ASSERT_FALSE(r);
  EXPECT_NE(error_message(r.error()).find("key \"mtu\""), std::string::npos);
  write("{}");
  r = load({"--data-root", "relative/path"});
  ASSERT_FALSE(r);
  EXPECT_NE(error_message(r.error()).find("flag --data-root"), std::string::npos);
}

TEST_F(loader_test, malformed_json_is_refused) {
  write("{\"debug\": tru");
  auto r = load({});
  ASSERT_FALSE(r);
  EXPECT_NE(error_message(r.error()).find("invalid JSON"), std::string::npos);
  write("[1,2]");
  r = load({});
  ASSERT_FALSE(r);
}

TEST_F(loader_test, structured_values_are_validated) {
  write(R"({"default-address-pools": [{"base": "10.0.0.0/8", "size": 4}]})");
  EXPECT_FALSE(load({}));
  write(R"({"log-opts": {"max-size": "10x"}})");
  EXPECT_FALSE(load({}));
  write(R"({"log-opts": {"bogus": "1"}})");
  EXPECT_FALSE(load({}));
  write(R"({"runtimes": {"crun": {"path": "/usr/bin/crun", "runtimeArgs": ["--debug"]}}})");
  auto r = load({});
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(r->config.runtimes["crun"].args, std::vector<std::string>{"--debug"});
}

TEST_F(loader_test, plain_tcp_is_refused) {
  write("{}");
  auto r = load({"-H", "tcp://127.0.0.1:2375"});
  ASSERT_FALSE(r);
  EXPECT_NE(error_message(r.error()).find("refusing to listen on TCP without mutual TLS"),
            std::string::npos);
}

TEST_F(loader_test, reload_applies_only_reloadable_keys) {
  write(R"({"log-level": "info", "labels": ["a=1"], "mtu": 1500})");
  auto cl = parse_command_line({"--config-file=" + file_});
  ASSERT_TRUE(cl);
  auto current = load_config(*cl);
  ASSERT_TRUE(current);
  write(R"({"log-level": "debug", "mtu": 1400})");
  auto r = reload_config(*current, *cl);
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(r->next.config.log_level, log::level::debug);
  EXPECT_TRUE(r->next.config.labels.empty());
  EXPECT_EQ(r->next.config.mtu, 1500);
  EXPECT_EQ(r->applied, (std::vector<std::string>{"log-level", "labels"}));
  EXPECT_EQ(r->ignored, std::vector<std::string>{"mtu"});
}

TEST_F(loader_test, reload_of_a_broken_file_keeps_nothing) {
  write(R"({"log-level": "info"})");
  auto cl = parse_command_line({"--config-file=" + file_});
  auto current = load_config(*cl);
  ASSERT_TRUE(current);
  write(R"({"log-level": )");
  EXPECT_FALSE(reload_config(*current, *cl));
}

TEST_F(loader_test, proxies_come_from_the_file_object_or_the_flags) {
  write(
      R"({"proxies": {"http-proxy": "http://u:pw@proxy:3128", "no-proxy": "a.test,10.0.0.0/8"}})");
  auto r = load({"--https-proxy", "https://tls-proxy"});
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(r->config.http_proxy, "http://u:pw@proxy:3128");
  EXPECT_EQ(r->config.https_proxy, "https://tls-proxy");
  EXPECT_EQ(r->config.no_proxy, "a.test,10.0.0.0/8");
  write("{}");
  auto flags = load({"--http-proxy=proxy:3128", "--no-proxy", "*"});
  ASSERT_TRUE(flags) << error_message(flags.error());
  EXPECT_EQ(flags->config.http_proxy, "proxy:3128");
  EXPECT_EQ(flags->config.no_proxy, "*");
  EXPECT_EQ(flags->config.https_proxy, "");
}

TEST_F(loader_test, a_proxy_key_in_the_file_and_as_a_flag_conflicts_with_masked_passwords) {
  write(R"({"proxies": {"http-proxy": "http://u:filepw@p:1"}})");
  auto r = load({"--http-proxy", "http://u:flagpw@q:2"});
  ASSERT_FALSE(r);
  auto message = error_message(r.error());
  EXPECT_NE(message.find("specified both as a flag and in the configuration file: http-proxy: "
                         "(from flag: http://xxxxx:xxxxx@q:2, from file: http://xxxxx:xxxxx@p:1)"),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find("pw"), std::string::npos) << message;
}

TEST_F(loader_test, invalid_proxies_and_misplaced_keys_are_refused) {
  write(R"({"proxies": {"https-proxy": "socks5://u:pw@p:1080"}})");
  auto bad = load({});
  ASSERT_FALSE(bad);
  EXPECT_NE(error_message(bad.error())
                .find("invalid value for key \"proxies.https-proxy\" in " + file_ +
                      ": invalid proxy URL \"socks5://xxxxx:xxxxx@p:1080\": unsupported scheme"),
            std::string::npos)
      << error_message(bad.error());
  write("{}");
  auto bad_flag = load({"--http-proxy", "http://:3128"});
  ASSERT_FALSE(bad_flag);
  EXPECT_NE(error_message(bad_flag.error()).find("invalid value for flag --http-proxy"),
            std::string::npos);
  // The keys live in "proxies" only; "proxies" holds nothing else.
  write(R"({"http-proxy": "http://p:1"})");
  auto top = load({});
  ASSERT_FALSE(top);
  EXPECT_NE(error_message(top.error()).find("don't match any configuration option: http-proxy"),
            std::string::npos);
  write(R"({"proxies": {"ftp-proxy": "x"}})");
  auto member = load({});
  ASSERT_FALSE(member);
  EXPECT_NE(error_message(member.error()).find("don't match any configuration option: ftp-proxy"),
            std::string::npos);
  write(R"({"proxies": "http://p:1"})");
  EXPECT_FALSE(load({}));
}
