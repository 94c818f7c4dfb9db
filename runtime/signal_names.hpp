// Signal names as docker uses them: "HUP", "SIGHUP", "sighup", "1", "SIGRTMIN+3".
#pragma once

#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace berth::runtime {

/// Parses a signal name or number; fails with dockerd's "Invalid signal: X".
[[nodiscard]] caf::expected<int> parse_signal(std::string_view text);

/// "SIGTERM" for 15.
[[nodiscard]] std::string signal_name(int signo);

} // namespace berth::runtime
