// Tests runtime/signal_names: docker kill -s and StopSignal spellings.
#include <csignal>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "runtime/signal_names.hpp"

using namespace berth;
using namespace berth::runtime;

namespace {

int signal_or_minus_one(std::string_view text) {
  auto r = parse_signal(text);
  return r ? *r : -1;
}

} // namespace

TEST(signal_names, names_numbers_and_prefixes) {
  EXPECT_EQ(signal_or_minus_one("HUP"), SIGHUP);
  EXPECT_EQ(signal_or_minus_one("SIGHUP"), SIGHUP);
  EXPECT_EQ(signal_or_minus_one("sigusr1"), SIGUSR1);
  EXPECT_EQ(signal_or_minus_one("kill"), SIGKILL);
  EXPECT_EQ(signal_or_minus_one("15"), SIGTERM);
  EXPECT_EQ(signal_or_minus_one("SIGRTMIN+3"), SIGRTMIN + 3);
}

TEST(signal_names, unknown_signals_have_dockerds_message) {
  for (const char* bad : {"NOPE", "", "0", "-1", "65", "SIGRTMIN+99", "9x"}) {
    auto r = parse_signal(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(error_kind(r.error()), errc::invalid_argument);
    EXPECT_EQ(error_message(r.error()), std::string("Invalid signal: ") + bad);
  }
}

TEST(signal_names, numbers_render_as_names) {
  EXPECT_EQ(signal_name(SIGTERM), "SIGTERM");
  EXPECT_EQ(signal_name(SIGKILL), "SIGKILL");
}
