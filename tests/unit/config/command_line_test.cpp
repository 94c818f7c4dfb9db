// Tests config/command_line: dockerd's flag syntax mapped to daemon.json keys.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "config/command_line.hpp"

using namespace berth;
using namespace berth::config;

namespace {

command_line parse_ok(std::vector<std::string> args) {
  auto r = parse_command_line(args);
  EXPECT_TRUE(r) << error_message(r.error());
  return r ? *r : command_line{};
}

std::string parse_error(std::vector<std::string> args) {
  auto r = parse_command_line(args);
  EXPECT_FALSE(r);
  return r ? "" : error_message(r.error());
}

} // namespace

TEST(command_line, long_and_short_forms) {
  auto cl = parse_ok({"-H", "unix:///tmp/a.sock", "--host=tcp://0.0.0.0:2376", "-Hfd://",
                      "--data-root", "/srv/berth", "-D", "--log-level=warn", "--mtu", "1400"});
  EXPECT_EQ(cl.values["hosts"],
            nlohmann::json::array({"unix:///tmp/a.sock", "tcp://0.0.0.0:2376", "fd://"}));
  EXPECT_EQ(cl.values["data-root"], "/srv/berth");
  EXPECT_EQ(cl.values["debug"], true);
  EXPECT_EQ(cl.values["log-level"], "warn");
  EXPECT_EQ(cl.values["mtu"], 1400);
}

TEST(command_line, booleans_take_optional_values) {
  auto cl = parse_ok({"--live-restore=false", "--icc"});
  EXPECT_EQ(cl.values["live-restore"], false);
  EXPECT_EQ(cl.values["icc"], true);
}

TEST(command_line, structured_flags) {
  auto cl = parse_ok({"--log-opt", "max-size=10m", "--log-opt", "max-file=3", "--add-runtime",
                      "crun=/usr/bin/crun", "--default-address-pool", "base=10.10.0.0/16,size=24",
                      "--default-ulimit", "nofile=1024:2048", "--label", "a=b"});
  EXPECT_EQ(cl.values["log-opts"]["max-size"], "10m");
  EXPECT_EQ(cl.values["log-opts"]["max-file"], "3");
  EXPECT_EQ(cl.values["runtimes"]["crun"]["path"], "/usr/bin/crun");
  EXPECT_EQ(cl.values["default-address-pools"][0]["base"], "10.10.0.0/16");
  EXPECT_EQ(cl.values["default-address-pools"][0]["size"], 24);
  EXPECT_EQ(cl.values["default-ulimits"]["nofile"]["Hard"], 2048);
  EXPECT_EQ(cl.values["labels"][0], "a=b");
}

TEST(command_line, config_file_help_version) {
  auto cl = parse_ok({"--config-file", "/tmp/d.json", "-v", "--help", "--validate"});
  EXPECT_EQ(cl.config_file, "/tmp/d.json");
  EXPECT_TRUE(cl.version);
  EXPECT_TRUE(cl.help);
  EXPECT_TRUE(cl.validate);
}

TEST(command_line, errors_name_the_flag) {
  EXPECT_EQ(parse_error({"--frobnicate"}), "unknown flag: --frobnicate");
  EXPECT_EQ(parse_error({"-Z"}), "unknown shorthand flag: 'Z' in -Z");
  EXPECT_EQ(parse_error({"--data-root"}), "flag needs an argument: --data-root");
  EXPECT_EQ(parse_error({"--mtu", "big"}),
            "invalid argument \"big\" for \"--mtu\" flag: not an integer");
  EXPECT_EQ(parse_error({"--debug=maybe"}),
            "invalid argument \"maybe\" for \"--debug\" flag: not a boolean");
  EXPECT_EQ(parse_error({"stray"}), "berthd does not take positional arguments, got \"stray\"");
}

TEST(command_line, usage_lists_flags) {
  auto text = usage_text();
  EXPECT_NE(text.find("-H, --host list"), std::string::npos);
  EXPECT_NE(text.find("--data-root string"), std::string::npos);
  EXPECT_NE(text.find("--metrics-addr string"), std::string::npos);
}
