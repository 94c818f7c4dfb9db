// ASCII case folding for protocol text (URL schemes, host names, auth schemes, platform names):
// only 'A'-'Z' change, whatever the locale says.
#pragma once

#include <string>
#include <string_view>

namespace berth {

/// `c` in lower case when it is an ASCII capital letter; any other byte as it is.
[[nodiscard]] constexpr char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// `text` with its ASCII capital letters in lower case.
[[nodiscard]] std::string ascii_lower(std::string_view text);

} // namespace berth
