// Go's view of text that the Dockerfile grammar relies on: UTF-8 decoding (an invalid byte is
// U+FFFD), unicode.IsSpace, IsLetter and IsDigit.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace berth::dockerfile {

inline constexpr char32_t replacement_char = 0xFFFD;

/// utf8.DecodeRuneInString: the first code point of `text` and its length in bytes; (U+FFFD, 1)
/// for an invalid byte, (U+FFFD, 0) for "".
[[nodiscard]] std::pair<char32_t, size_t> decode_rune(std::string_view text);

/// The code points of `text` as Go's `for range` sees them: each byte of an invalid sequence is
/// one U+FFFD.
[[nodiscard]] std::u32string decode_utf8(std::string_view text);

/// Appends the UTF-8 encoding of `c` (U+FFFD for surrogates and values beyond U+10FFFF).
void append_utf8(std::string& out, char32_t c);

/// `text` re-encoded from code points.
[[nodiscard]] std::string encode_utf8(std::u32string_view text);

/// unicode.IsSpace: ASCII blanks, U+0085, U+00A0 and Unicode's White_Space beyond Latin-1.
[[nodiscard]] bool is_go_space(char32_t c);

/// unicode.IsSpace applied to a single byte taken as a code point, as Go code indexing a string
/// by bytes does: also true for 0x85 and 0xA0.
[[nodiscard]] inline bool is_go_space_byte(char c) {
  auto b = static_cast<unsigned char>(c);
  return b == ' ' || (b >= '\t' && b <= '\r') || b == 0x85 || b == 0xA0;
}

/// strings.TrimSpace: `text` without Unicode white space at either end.
[[nodiscard]] std::string_view trim_go_space(std::string_view text);

/// strings.TrimLeftFunc(text, unicode.IsSpace).
[[nodiscard]] std::string_view trim_go_space_left(std::string_view text);

/// ASCII case mapping (keywords, flags and directives are ASCII).
[[nodiscard]] std::string ascii_lower(std::string_view text);
[[nodiscard]] std::string ascii_upper(std::string_view text);

/// unicode.IsLetter (for non-ASCII: the C.UTF-8 locale's alphabetic class).
[[nodiscard]] bool is_go_letter(char32_t c);

/// unicode.IsDigit (for non-ASCII: the C.UTF-8 locale's digit class).
[[nodiscard]] bool is_go_digit(char32_t c);

} // namespace berth::dockerfile
