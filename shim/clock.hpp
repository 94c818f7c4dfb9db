// Wall-clock time for berth-shim: unix nanoseconds and Go's RFC 3339 nano format (UTC).
#pragma once

#include <cstdint>
#include <string>

namespace berth::shim {

/// Nanoseconds since the unix epoch (CLOCK_REALTIME).
[[nodiscard]] int64_t realtime_ns();

/// Milliseconds from CLOCK_MONOTONIC (for deadlines).
[[nodiscard]] int64_t monotonic_ms();

/// Appends `unix_ns` like Go's time.RFC3339Nano in UTC, as dockerd writes json-file times:
/// "2026-11-28T00:00:00.123456789Z", trailing zeros of the fraction trimmed (none when zero).
void append_rfc3339_nano(std::string& out, int64_t unix_ns);

} // namespace berth::shim
