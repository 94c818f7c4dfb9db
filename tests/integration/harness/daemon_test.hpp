// The GoogleTest fixture the CLI-driven integration tests share: a started test daemon with the
// busybox test image loaded, and the docker CLI helpers every such test uses.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_daemon.hpp"

namespace berth::test {

class daemon_test : public ::testing::Test {
 protected:
  explicit daemon_test(daemon_options opts = {}) : daemon_(std::move(opts)) {}

  /// Starts the daemon and loads busybox:latest; fails the test when either does not work.
  void SetUp() override;

  /// Runs the docker CLI against the test's daemon.
  command_result docker(const std::vector<std::string>& args, const run_options& opts = {});

  /// Runs a docker command that must succeed (a failed expectation otherwise); returns its
  /// trimmed stdout.
  std::string ok(const std::vector<std::string>& args, const run_options& opts = {});

  /// `docker <kind> inspect <object>` parsed: the first element, or null when it failed.
  nlohmann::json inspect(const std::string& object, const std::string& kind = "container");

  /// The current Unix time in seconds, for `docker events --since`: events followed from a
  /// moment before the actions cannot be missed by a CLI that subscribes late.
  [[nodiscard]] static std::string unix_now();

  test_daemon daemon_;
};

} // namespace berth::test
