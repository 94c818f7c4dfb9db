// Tests base/byte_source's observed_source: every non-empty read is reported, the data and errors
// pass through unchanged, and the owning form reads from what it owns.
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "base/byte_source.hpp"
#include "base/error.hpp"

using namespace berth;

namespace {

/// Fails every read.
class failing_source final : public byte_source {
 public:
  caf::expected<size_t> read(char*, size_t) override {
    return make_error(errc::system, "the client went away");
  }
};

} // namespace

TEST(observed_source, reports_each_read_and_passes_the_bytes_on) {
  string_source inner{"hello world"};
  std::vector<size_t> reads;
  observed_source observed{inner, [&](size_t bytes) { reads.push_back(bytes); }};
  char buf[4];
  std::string got;
  for (;;) {
    auto n = observed.read(buf, sizeof buf);
    ASSERT_TRUE(n);
    if (*n == 0) break;
    got.append(buf, *n);
  }
  EXPECT_EQ(got, "hello world");
  EXPECT_EQ(reads, (std::vector<size_t>{4, 4, 3})); // the end is not reported
}

TEST(observed_source, errors_pass_through_unreported) {
  failing_source inner;
  size_t calls = 0;
  observed_source observed{inner, [&](size_t) { ++calls; }};
  char buf[8];
  auto n = observed.read(buf, sizeof buf);
  ASSERT_FALSE(n);
  EXPECT_EQ(error_message(n.error()), "the client went away");
  EXPECT_EQ(calls, 0u);
}

TEST(observed_source, the_owning_form_reads_what_it_owns) {
  size_t total = 0;
  observed_source observed{std::make_unique<string_source>("abc"),
                           [&](size_t bytes) { total += bytes; }};
  auto all = read_all(observed, 100);
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, "abc");
  EXPECT_EQ(total, 3u);
}
