// Go's text conventions that dockerd's messages and parsers rely on: %q quoting, strconv's
// signed integer and boolean syntax, path.Clean, and the strings package's Split, Join and
// TrimSpace. strconv.ParseUint is base/text_fields.hpp's parse_u64.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::runtime {

/// Go's %q of a string: double quotes, with `"`, `\` and control characters escaped.
[[nodiscard]] std::string go_quote(std::string_view text);

/// strconv.ParseBool: "1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false",
/// "False".
[[nodiscard]] std::optional<bool> parse_go_bool(std::string_view text);

/// strconv.ParseInt(text, 10, 64): optional sign, decimal digits only, no overflow.
[[nodiscard]] std::optional<int64_t> parse_go_int(std::string_view text);

/// path.Clean: the shortest equivalent slash-separated path ("" → ".", "/a/../b/" → "/b").
[[nodiscard]] std::string clean_path(std::string_view path);

/// strings.Split: `text` cut at every `sep` ("" gives one empty part).
[[nodiscard]] std::vector<std::string> split(std::string_view text, char sep);

/// strings.Join.
[[nodiscard]] std::string join(const std::vector<std::string>& parts, std::string_view sep);

/// strings.TrimSpace for ASCII white space.
[[nodiscard]] std::string trim_space(std::string_view text);

} // namespace berth::runtime
