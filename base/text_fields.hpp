// Reading line-oriented text (kernel files under /proc and /sys, tool output): its lines, the
// fields of a line, and whole-field unsigned numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace berth {

/// The lines of `text` without their '\n'; a last line without one is included.
[[nodiscard]] std::vector<std::string_view> text_lines(std::string_view text);

/// The non-empty pieces of `line` between any of `separators` (Go's strings.FieldsFunc).
[[nodiscard]] std::vector<std::string_view> text_fields(std::string_view line,
                                                        std::string_view separators = " \t");

/// `text` as a decimal unsigned 64-bit number, all of it; nullopt otherwise.
[[nodiscard]] std::optional<uint64_t> parse_u64(std::string_view text);

} // namespace berth
