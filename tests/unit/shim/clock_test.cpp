// Tests shim/clock: Go's RFC3339Nano in UTC.
#include <string>

#include <gtest/gtest.h>

#include "shim/clock.hpp"

using namespace berth::shim;

namespace {

std::string rfc3339(int64_t ns) {
  std::string out;
  append_rfc3339_nano(out, ns);
  return out;
}

} // namespace

TEST(shim_clock, formats_like_go_rfc3339nano) {
  EXPECT_EQ(rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(rfc3339(1), "1970-01-01T00:00:00.000000001Z");
  EXPECT_EQ(rfc3339(1'764'288'000'123'456'789), "2025-11-28T00:00:00.123456789Z");
  EXPECT_EQ(rfc3339(1'764'288'000'120'000'000), "2025-11-28T00:00:00.12Z");
  EXPECT_EQ(rfc3339(951'782'400'000'000'000), "2000-02-29T00:00:00Z");
  EXPECT_EQ(rfc3339(4'102'444'799'500'000'000), "2099-12-31T23:59:59.5Z");
  EXPECT_EQ(rfc3339(-1), "1969-12-31T23:59:59.999999999Z");
}

TEST(shim_clock, clocks_advance) {
  EXPECT_GT(realtime_ns(), 1'700'000'000'000'000'000);
  EXPECT_GE(monotonic_ms(), 0);
}
