// Go's time.ParseDuration, for the durations Dockerfiles and flags carry ("1m30s", "500ms").
#pragma once

#include <cstdint>
#include <string_view>

#include <caf/expected.hpp>

namespace berth {

/// time.ParseDuration: a signed sequence of decimal numbers, each with an optional fraction and a
/// unit ("ns", "us", "µs", "μs", "ms", "s", "m", "h"), e.g. "-1.5h", "2h45m". Returns nanoseconds;
/// fails with Go's messages (`time: invalid duration "x"`, `time: missing unit in duration "1"`,
/// `time: unknown unit "d" in duration "1d"`), also on overflow of int64.
[[nodiscard]] caf::expected<int64_t> parse_go_duration(std::string_view text);

/// Go's time.Duration.String(): "1h2m3.5s", "1.5ms", "0s".
[[nodiscard]] std::string format_go_duration(int64_t nanos);

} // namespace berth
