// Query strings: percent-decoding, repeated keys, and Docker's boolean rules.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "base/url_parts.hpp" // percent_decode

namespace berth::api {

/// The parsed query of one request. Keys may repeat (`names=a&names=b`).
class query_params {
 public:
  /// Parses "a=1&b=x%20y&flag". Fails on malformed percent escapes.
  [[nodiscard]] static caf::expected<query_params> parse(std::string_view raw);

  [[nodiscard]] bool has(const std::string& key) const { return values_.count(key) > 0; }

  /// The first value of `key`, or `fallback`.
  [[nodiscard]] std::string get(const std::string& key, const std::string& fallback = {}) const;

  /// Every value of `key`, in order.
  [[nodiscard]] std::vector<std::string> all(const std::string& key) const;

  /// Docker's httputils.BoolValue: "", "0", "no", "false", "none" are false; anything else true.
  [[nodiscard]] bool flag(const std::string& key) const;

  /// A boolean that must be one: absent → fallback; Docker's false words ("", "0", "no",
  /// "false", "none") and "f" → false; "1", "t", "true", "yes" → true (case and spaces
  /// ignored); anything else → errc::invalid_argument naming the key.
  [[nodiscard]] caf::expected<bool> strict_flag(const std::string& key, bool fallback) const;

  /// An integer value; absent → fallback; malformed → error naming the key.
  [[nodiscard]] caf::expected<int64_t> integer(const std::string& key, int64_t fallback) const;

 private:
  std::multimap<std::string, std::string> values_;
};

} // namespace berth::api
