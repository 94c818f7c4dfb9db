// Test fixture for net/: a throwaway "host" network namespace plus container namespaces, all
// pinned under a temp dir, and ways to look inside them with iproute2 (nsenter + ip).
//
// Nothing a test does here touches the machine's own network: the library runs inside the
// host-role namespace (run_in_netns), and every link name starts with a per-test random prefix.
#pragma once

#include <chrono>
#include <cstdlib>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/ipv4.hpp"
#include "base/subprocess.hpp"
#include "base/sys.hpp"
#include "net/bridge.hpp"
#include "net/netns.hpp"

/// Asserts that a `caf::error` expression is no error, printing the error's message otherwise.
#define ASSERT_OK(expr)                                                                            \
  do {                                                                                             \
    auto assert_ok_error_ = (expr);                                                                \
    ASSERT_FALSE(assert_ok_error_) << #expr << ": " << ::berth::error_message(assert_ok_error_);   \
  } while (false)

namespace berth::net::test {

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

inline ipv4_cidr cidr(const char* text) {
  return *ipv4_cidr::parse(text);
}

inline ipv4_address address(const char* text) {
  return *ipv4_address::parse(text);
}

class net_sandbox : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces)";
    char tmpl[] = "/tmp/berth-net-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::random_device random;
    std::ostringstream out;
    out << 't' << std::hex << (random() & 0xffff);
    prefix_ = out.str();
    host_ = dir_ + "/host";
    ASSERT_OK(create_netns(host_));
    pins_.push_back(host_);
  }

  void TearDown() override {
    // Removing a namespace takes its links along (a veth pair dies with either end's namespace).
    for (const auto& pin : pins_)
      EXPECT_FALSE(remove_netns(pin)) << pin;
    if (!dir_.empty()) (void)sys::remove_all(dir_);
  }

  /// A new container namespace pinned at <dir>/<name>.
  std::string make_container(const std::string& name) {
    auto pin = dir_ + "/" + name;
    auto err = create_netns(pin);
    EXPECT_FALSE(err) << error_message(err);
    pins_.push_back(pin);
    return pin;
  }

  /// Runs `fn` inside the host-role namespace (where the daemon's calls would run).
  caf::error in_host(const std::function<caf::error()>& fn) const {
    return run_in_netns(host_, fn);
  }

  /// Runs a command inside the namespace pinned at `pin`; fails the test when it cannot start.
  static process_result run_in(const std::string& pin, std::vector<std::string> argv) {
    argv.insert(argv.begin(), {"nsenter", "--net=" + pin});
    auto result = run_process(argv, std::chrono::seconds(10));
    EXPECT_TRUE(result) << "cannot run " << argv[2];
    return result ? *result : process_result{};
  }

  /// `ip -o <args>` inside `pin`: one line per object.
  static std::string ip(const std::string& pin, std::vector<std::string> args) {
    args.insert(args.begin(), {"ip", "-o"});
    return run_in(pin, args).output;
  }

  /// The names of the links in `pin` (without "@peer" suffixes).
  static std::vector<std::string> links_in(const std::string& pin) {
    std::vector<std::string> names;
    std::istringstream lines{ip(pin, {"link", "show"})};
    for (std::string line; std::getline(lines, line);) {
      // "3: name@if4: <FLAGS> ..." or "3: name: <FLAGS> ..."
      auto start = line.find(": ");
      if (start == std::string::npos) continue;
      auto end = line.find_first_of(":@", start + 2);
      names.push_back(line.substr(start + 2, end - start - 2));
    }
    return names;
  }

  /// Runs `fn` (returning caf::expected<T>) inside `pin` and returns its value; on an error the
  /// test fails and a default T comes back.
  template <class Fn>
  static auto value_in(const std::string& pin, Fn fn) -> typename decltype(fn())::value_type {
    typename decltype(fn())::value_type value{};
    auto err = run_in_netns(pin, [&]() -> caf::error {
      auto result = fn();
      if (!result) return result.error();
      value = std::move(*result);
      return {};
    });
    EXPECT_FALSE(err) << error_message(err);
    return value;
  }

  static bool has_link(const std::string& pin, const std::string& name) {
    auto names = links_in(pin);
    return std::find(names.begin(), names.end(), name) != names.end();
  }

  std::string dir_;
  std::string prefix_; ///< starts every link name a test makes
  std::string host_;   ///< the host-role namespace's pin
  std::vector<std::string> pins_;
};

/// A sandbox whose host-role namespace already has a bridge, 172.17.0.1/16 like docker0.
class bridged_sandbox : public net_sandbox {
 protected:
  void SetUp() override {
    net_sandbox::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    bridge_ = prefix_ + "br0";
    ASSERT_OK(in_host([&] {
      return create_bridge({.name = bridge_, .mtu = 1500, .addresses = {cidr("172.17.0.1/16")}});
    }));
  }

  std::string bridge_;
};

} // namespace berth::net::test
