// Reading line-oriented text (kernel files under /proc and /sys, tool output): its lines, the
// fields of a line, and whole-field unsigned numbers (also Go's strconv.ParseUint for dockerd's
// parsers).
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

/// `text` as a decimal unsigned number of at most `bits` bits, all of it; nullopt otherwise
/// (no sign, space or base prefix). strconv.ParseUint(text, 10, bits) with bits 1..64.
[[nodiscard]] std::optional<uint64_t> parse_u64(std::string_view text, int bits = 64);

} // namespace berth
