// "did you mean ...?" hints for misspelt instructions and flags, as buildkit's suggest package
// gives them.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace berth::dockerfile {

/// The option closest to `value` by edit distance, if one is within 2 edits; none when `value` is
/// itself an option. Case-insensitive search answers in `value`'s case when that is all lower or
/// all upper. Ties go to the earlier option.
[[nodiscard]] std::optional<std::string> closest_option(std::string_view value,
                                                        std::span<const std::string_view> options,
                                                        bool case_sensitive);

/// `message` followed by " (did you mean X?)" when closest_option finds one.
[[nodiscard]] std::string with_suggestion(std::string message, std::string_view value,
                                          std::span<const std::string_view> options,
                                          bool case_sensitive);

} // namespace berth::dockerfile
