// Tests shim/options: berth-shim's command line.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "shim/options.hpp"

using namespace berth::shim;

TEST(shim_options, parses_the_full_command_line) {
  std::vector<std::string> args{"--id",
                                "c1",
                                "--bundle",
                                "/b",
                                "--runtime",
                                "/usr/sbin/runc",
                                "--runtime-arg",
                                "--debug",
                                "--runtime-arg=--systemd-cgroup",
                                "--runtime-root",
                                "/r",
                                "--state-dir",
                                "/s",
                                "--log-path",
                                "/l.log",
                                "--log-max-size",
                                "1000",
                                "--log-max-files=3",
                                "--tty",
                                "--rows",
                                "24",
                                "--cols",
                                "80",
                                "--stdin",
                                "--stdin-once",
                                "--sync-fd",
                                "3"};
  auto opts = parse_options(args);
  ASSERT_TRUE(opts) << opts.message();
  EXPECT_EQ(opts->id, "c1");
  EXPECT_EQ(opts->runtime_args, (std::vector<std::string>{"--debug", "--systemd-cgroup"}));
  EXPECT_EQ(opts->log_max_size, 1000U);
  EXPECT_EQ(opts->log_max_files, 3);
  EXPECT_TRUE(opts->tty && opts->open_stdin && opts->stdin_once);
  EXPECT_EQ(opts->rows, 24);
  EXPECT_EQ(opts->cols, 80);
  EXPECT_EQ(opts->sync_fd, 3);
  EXPECT_EQ(find_sync_fd(args), 3);
}

TEST(shim_options, refuses_bad_command_lines) {
  std::vector<std::string> base{"--id",           "c1", "--bundle",    "/b", "--runtime", "/rt",
                                "--runtime-root", "/r", "--state-dir", "/s"};
  EXPECT_TRUE(parse_options(base));
  auto with = [&](std::vector<std::string> extra) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return parse_options(args);
  };
  EXPECT_FALSE(with({"--log-max-files", "0"}));
  EXPECT_FALSE(with({"--rows", "x"}));
  EXPECT_FALSE(with({"--unknown", "1"}));
  EXPECT_FALSE(with({"--sync-fd"}));
  EXPECT_FALSE(with({"--state-dir", "relative"}));
  EXPECT_FALSE(with({"--id", "a/b"}));
  EXPECT_FALSE(parse_options({"--id", "c1"}));
  EXPECT_FALSE(with({"--stdin-once"})->stdin_once); // only with --stdin
  EXPECT_EQ(find_sync_fd({"--id", "--bad", "--sync-fd=7"}), 7);
}
