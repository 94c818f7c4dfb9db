// Go's UTF-8 decoding and character classes.
#include "dockerfile/go_unicode.hpp"

#include <clocale>
#include <cwctype>
#include <locale.h>

namespace berth::dockerfile {

namespace {

/// The C.UTF-8 locale for classifying non-ASCII code points, opened once (never freed).
locale_t unicode_locale() {
  static locale_t loc = ::newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return loc;
}

bool is_continuation(unsigned char b) {
  return (b & 0xC0) == 0x80;
}

} // namespace

std::pair<char32_t, size_t> decode_rune(std::string_view text) {
  if (text.empty()) return {replacement_char, 0};
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  auto b0 = byte(0);
  if (b0 < 0x80) return {b0, 1};
  size_t need = 0;
  char32_t c = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1, c = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2, c = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3, c = b0 & 0x07, min = 0x10000;
  }
  bool ok = need > 0 && need < text.size();
  for (size_t k = 1; ok && k <= need; ++k) {
    ok = is_continuation(byte(k));
    c = (c << 6) | (byte(k) & 0x3F);
  }
  if (!ok || c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return {replacement_char, 1};
  return {c, need + 1};
}

std::u32string decode_utf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  while (!text.empty()) {
    auto [c, n] = decode_rune(text);
    out += c;
    text.remove_prefix(n);
  }
  return out;
}

void append_utf8(std::string& out, char32_t c) {
  if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) c = replacement_char;
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::string encode_utf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (auto c : text)
    append_utf8(out, c);
  return out;
}

bool is_go_space(char32_t c) {
  if (c < 0x100) return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xA0;
  return c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

std::string_view trim_go_space(std::string_view text) {
  size_t begin = 0;
  size_t end = 0;
  bool seen = false;
  for (size_t pos = 0; pos < text.size();) {
    auto [c, n] = decode_rune(text.substr(pos));
    if (!is_go_space(c)) {
      if (!seen) begin = pos;
      seen = true;
      end = pos + n;
    }
    pos += n;
  }
  return seen ? text.substr(begin, end - begin) : std::string_view{};
}

std::string_view trim_go_space_left(std::string_view text) {
  while (!text.empty()) {
    auto [c, n] = decode_rune(text);
    if (!is_go_space(c)) break;
    text.remove_prefix(n);
  }
  return text;
}

std::string ascii_lower(std::string_view text) {
  std::string out{text};
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string ascii_upper(std::string_view text) {
  std::string out{text};
  for (auto& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

bool is_go_letter(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  auto loc = unicode_locale();
  return loc != static_cast<locale_t>(nullptr) && !is_go_space(c) &&
         ::iswalpha_l(static_cast<wint_t>(c), loc) != 0 &&
         ::iswdigit_l(static_cast<wint_t>(c), loc) == 0;
}

bool is_go_digit(char32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  auto loc = unicode_locale();
  return loc != static_cast<locale_t>(nullptr) && ::iswdigit_l(static_cast<wint_t>(c), loc) != 0;
}

} // namespace berth::dockerfile
