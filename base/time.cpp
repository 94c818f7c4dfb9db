// Wall-clock helpers in Docker's formats.
#include "base/time.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>

#include "base/go_duration.hpp"

namespace berth {

namespace {

constexpr int64_t nanos_per_second = 1'000'000'000;

// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool parse_digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

} // namespace

int64_t unix_nanos_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * nanos_per_second + ts.tv_nsec;
}

int64_t monotonic_nanos() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * nanos_per_second + ts.tv_nsec;
}

std::string format_rfc3339(int64_t unix_nanos, int digits) {
  int64_t secs = unix_nanos / nanos_per_second;
  int64_t frac = unix_nanos % nanos_per_second;
  if (frac < 0) {
    frac += nanos_per_second;
    --secs;
  }
  time_t t = static_cast<time_t>(secs);
  tm parts{};
  gmtime_r(&t, &parts);
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", parts.tm_year + 1900,
                        parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
  std::string out(buf, static_cast<size_t>(n));
  char fbuf[16];
  std::snprintf(fbuf, sizeof fbuf, "%09lld", static_cast<long long>(frac));
  std::string fraction(fbuf);
  if (digits < 0) {
    while (!fraction.empty() && fraction.back() == '0')
      fraction.pop_back();
  } else {
    fraction.resize(static_cast<size_t>(digits > 9 ? 9 : digits));
  }
  if (!fraction.empty()) {
    out += '.';
    out += fraction;
  }
  out += 'Z';
  return out;
}

std::string format_rfc3339_or_zero(int64_t unix_nanos) {
  return unix_nanos == 0 ? std::string(zero_time) : format_rfc3339(unix_nanos);
}

std::optional<int64_t> parse_rfc3339(std::string_view s) {
  int year, mon, day, hour, min, sec;
  if (!parse_digits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !parse_digits(s, 5, 2, mon) ||
      s[7] != '-' || !parse_digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't') ||
      !parse_digits(s, 11, 2, hour) || s[13] != ':' || !parse_digits(s, 14, 2, min) ||
      s[16] != ':' || !parse_digits(s, 17, 2, sec))
    return std::nullopt;
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
    return std::nullopt;
  size_t pos = 19;
  int64_t frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int64_t scale = nanos_per_second / 10;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!parse_digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !parse_digits(s, pos + 4, 2, om))
      return std::nullopt;
    offset = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  int64_t days = days_from_civil(year, static_cast<unsigned>(mon), static_cast<unsigned>(day));
  int64_t secs = days * 86400 + hour * 3600 + min * 60 + sec - offset;
  return secs * nanos_per_second + frac;
}

std::optional<int64_t> parse_api_timestamp(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text.find('T') != std::string_view::npos || text.find('t') != std::string_view::npos)
    return parse_rfc3339(text);
  auto dot = text.find('.');
  auto whole = text.substr(0, dot);
  int64_t secs = 0;
  bool negative = !whole.empty() && whole.front() == '-';
  auto digits = negative ? whole.substr(1) : whole;
  if (digits.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), secs);
  if (ec != std::errc{} || p != digits.data() + digits.size()) return std::nullopt;
  if (secs > 9'000'000'000LL) return std::nullopt;
  int64_t frac = 0;
  if (dot != std::string_view::npos) {
    auto f = text.substr(dot + 1);
    if (f.empty() || f.size() > 9) return std::nullopt;
    int64_t scale = nanos_per_second / 10;
    for (char c : f) {
      if (c < '0' || c > '9') return std::nullopt;
      frac += (c - '0') * scale;
      scale /= 10;
    }
  }
  int64_t value = secs * nanos_per_second + frac;
  return negative ? -value : value;
}

std::optional<int64_t> parse_filter_time(std::string_view text, int64_t now_nanos) {
  if (text != "0")
    if (auto d = parse_go_duration(text)) return now_nanos - *d;
  return parse_api_timestamp(text);
}

} // namespace berth
