// Go's time.ParseDuration and Duration.String.
#include "base/go_duration.hpp"

#include <cstdio>
#include <limits>
#include <optional>
#include <string>

#include "base/error.hpp"

namespace berth {

namespace {

constexpr uint64_t limit = uint64_t{1} << 63;

/// The time package's own quoting: `"` and `\` escaped, bytes outside printable ASCII as \xNN.
std::string time_quote(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x80) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += ch;
  }
  return out + '"';
}

caf::error invalid(std::string_view orig) {
  return make_error(errc::invalid_argument, "time: invalid duration " + time_quote(orig));
}

std::optional<uint64_t> unit_nanos(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return 1'000;
  if (unit == "ms") return 1'000'000;
  if (unit == "s") return 1'000'000'000;
  if (unit == "m") return 60'000'000'000;
  if (unit == "h") return 3'600'000'000'000;
  return std::nullopt;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

} // namespace

caf::expected<int64_t> parse_go_duration(std::string_view orig) {
  auto s = orig;
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return int64_t{0};
  if (s.empty()) return invalid(orig);
  uint64_t total = 0;
  while (!s.empty()) {
    if (!(s.front() == '.' || is_digit(s.front()))) return invalid(orig);
    // The integer part; more than 2^63 is an overflow.
    uint64_t whole = 0;
    size_t i = 0;
    for (; i < s.size() && is_digit(s[i]); ++i) {
      if (whole > limit / 10) return invalid(orig);
      whole = whole * 10 + static_cast<uint64_t>(s[i] - '0');
      if (whole > limit) return invalid(orig);
    }
    bool before_point = i > 0;
    s.remove_prefix(i);
    // The fraction: digits beyond what fits are ignored, as Go does.
    uint64_t fraction = 0;
    double scale = 1;
    bool after_point = false;
    if (!s.empty() && s.front() == '.') {
      s.remove_prefix(1);
      bool overflow = false;
      size_t j = 0;
      for (; j < s.size() && is_digit(s[j]); ++j) {
        if (overflow) continue;
        if (fraction > (limit - 1) / 10) {
          overflow = true;
          continue;
        }
        auto next = fraction * 10 + static_cast<uint64_t>(s[j] - '0');
        if (next > limit) {
          overflow = true;
          continue;
        }
        fraction = next;
        scale *= 10;
      }
      after_point = j > 0;
      s.remove_prefix(j);
    }
    if (!before_point && !after_point) return invalid(orig);
    size_t u = 0;
    while (u < s.size() && s[u] != '.' && !is_digit(s[u]))
      ++u;
    if (u == 0)
      return make_error(errc::invalid_argument,
                        "time: missing unit in duration " + time_quote(orig));
    auto unit_text = s.substr(0, u);
    s.remove_prefix(u);
    auto unit = unit_nanos(unit_text);
    if (!unit)
      return make_error(errc::invalid_argument, "time: unknown unit " + time_quote(unit_text) +
                                                    " in duration " + time_quote(orig));
    if (whole > limit / *unit) return invalid(orig);
    whole *= *unit;
    if (fraction > 0) {
      whole += static_cast<uint64_t>(static_cast<double>(fraction) *
                                     (static_cast<double>(*unit) / scale));
      if (whole > limit) return invalid(orig);
    }
    total += whole;
    if (total > limit) return invalid(orig);
  }
  if (negative)
    return total == limit ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(total);
  if (total > limit - 1) return invalid(orig);
  return static_cast<int64_t>(total);
}

std::string format_go_duration(int64_t nanos) {
  if (nanos == 0) return "0s";
  bool negative = nanos < 0;
  auto u = negative ? static_cast<uint64_t>(-(nanos + 1)) + 1 : static_cast<uint64_t>(nanos);
  // Fractional digits of `value / 10^precision` without trailing zeros.
  auto fraction = [](uint64_t value, int precision, std::string& text) {
    std::string digits;
    bool print = false;
    for (int i = 0; i < precision; ++i) {
      auto digit = value % 10;
      print = print || digit != 0;
      if (print) digits.insert(digits.begin(), static_cast<char>('0' + digit));
      value /= 10;
    }
    if (print) text = "." + digits + text;
    return value;
  };
  if (u < 1'000'000'000) {
    // Less than a second: ns, µs or ms with a fraction.
    std::string unit;
    int precision = 0;
    if (u < 1'000) {
      return (negative ? "-" : "") + std::to_string(u) + "ns";
    } else if (u < 1'000'000) {
      unit = "\xC2\xB5s";
      precision = 3;
    } else {
      unit = "ms";
      precision = 6;
    }
    std::string text = unit;
    auto whole = fraction(u, precision, text);
    return (negative ? "-" : "") + std::to_string(whole) + text;
  }
  std::string text = "s";
  auto seconds = fraction(u, 9, text);
  text = std::to_string(seconds % 60) + text;
  auto minutes = seconds / 60;
  if (minutes > 0) {
    text = std::to_string(minutes % 60) + "m" + text;
    auto hours = minutes / 60;
    if (hours > 0) text = std::to_string(hours) + "h" + text;
  }
  return (negative ? "-" : "") + text;
}

} // namespace berth
