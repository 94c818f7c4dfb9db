// Test helper for net/: asserts an error's kind and its exact user-facing message.
#pragma once

#include <string>

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <gtest/gtest.h>

#include "base/error.hpp"

namespace berth::net::testing {

inline void expect_error(const caf::error& err, errc kind, const std::string& message) {
  ASSERT_TRUE(err) << "expected: " << message;
  EXPECT_EQ(error_kind(err), kind) << error_message(err);
  EXPECT_EQ(error_message(err), message);
}

template <class T>
void expect_error(const caf::expected<T>& result, errc kind, const std::string& message) {
  ASSERT_FALSE(result) << "expected: " << message;
  expect_error(result.error(), kind, message);
}

} // namespace berth::net::testing
