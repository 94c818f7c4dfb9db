// Wall-clock helpers in Docker's formats: RFC 3339 with nanoseconds, unix timestamps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth {

/// Nanoseconds since the unix epoch, from the realtime clock.
[[nodiscard]] int64_t unix_nanos_now();

/// Nanoseconds from a monotonic clock (for durations).
[[nodiscard]] int64_t monotonic_nanos();

/// Formats as RFC 3339 in UTC. `digits` = fraction digits (0..9); with `digits` < 0 the
/// fraction is written like Go's RFC3339Nano (trailing zeros trimmed, none when zero).
[[nodiscard]] std::string format_rfc3339(int64_t unix_nanos, int digits = -1);

/// Parses RFC 3339 (`2006-01-02T15:04:05.999999999Z07:00`) into unix nanoseconds.
[[nodiscard]] std::optional<int64_t> parse_rfc3339(std::string_view text);

/// Parses Docker API timestamps as `since`/`until` take them: `seconds[.fraction]` (unix time)
/// or RFC 3339. Returns unix nanoseconds.
[[nodiscard]] std::optional<int64_t> parse_api_timestamp(std::string_view text);

/// The `until` of prune and list filters, as dockerd's timetypes.GetTimestamp reads it: a Go
/// duration counts back from `now_nanos` ("24h", "90m"; "0" is a timestamp), anything else is
/// parse_api_timestamp's.
[[nodiscard]] std::optional<int64_t> parse_filter_time(std::string_view text, int64_t now_nanos);

/// The zero time Docker reports for "never" (`0001-01-01T00:00:00Z`).
inline constexpr std::string_view zero_time = "0001-01-01T00:00:00Z";

/// A time that may be unset, as Docker reports it: 0 (never) is zero_time, any other value
/// format_rfc3339's text.
[[nodiscard]] std::string format_rfc3339_or_zero(int64_t unix_nanos);

} // namespace berth
