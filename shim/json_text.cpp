// The little JSON berth-shim needs.
#include "shim/json_text.hpp"

#include <charconv>
#include <cstddef>

namespace berth::shim {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

/// Decodes one UTF-8 sequence at `s[i]` like Go's utf8.DecodeRune: returns its length, or 0 when
/// the byte does not start a valid, shortest-form, non-surrogate sequence.
size_t utf8_length(std::string_view s, size_t i, uint32_t& rune) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  auto cont = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return i + k < s.size() && byte(k) >= lo && byte(k) <= hi;
  };
  unsigned char b0 = byte(0);
  if (b0 >= 0xC2 && b0 <= 0xDF && cont(1)) {
    rune = ((b0 & 0x1Fu) << 6) | (byte(1) & 0x3Fu);
    return 2;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    unsigned char lo = b0 == 0xE0 ? 0xA0 : 0x80;
    unsigned char hi = b0 == 0xED ? 0x9F : 0xBF; // no surrogates
    if (cont(1, lo, hi) && cont(2)) {
      rune = ((b0 & 0x0Fu) << 12) | ((byte(1) & 0x3Fu) << 6) | (byte(2) & 0x3Fu);
      return 3;
    }
    return 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    unsigned char lo = b0 == 0xF0 ? 0x90 : 0x80;
    unsigned char hi = b0 == 0xF4 ? 0x8F : 0xBF; // nothing above U+10FFFF
    if (cont(1, lo, hi) && cont(2) && cont(3)) {
      rune = ((b0 & 0x07u) << 18) | ((byte(1) & 0x3Fu) << 12) | ((byte(2) & 0x3Fu) << 6) |
             (byte(3) & 0x3Fu);
      return 4;
    }
  }
  return 0;
}

/// A forward-only reader over trusted JSON, enough to find one value by its key path.
class json_cursor {
 public:
  explicit json_cursor(std::string_view text) : s_(text) {}

  bool find(std::initializer_list<std::string_view> path) {
    for (auto key : path) {
      skip_ws();
      if (!eat('{')) return false;
      bool found = false;
      skip_ws();
      if (eat('}')) return false;
      for (;;) {
        skip_ws();
        std::string name;
        if (!read_string(name)) return false;
        skip_ws();
        if (!eat(':')) return false;
        if (name == key) {
          found = true;
          break;
        }
        if (!skip_value(0)) return false;
        skip_ws();
        if (eat(',')) continue;
        return false; // '}' or junk: key not present
      }
      if (!found) return false;
    }
    skip_ws();
    return true;
  }

  bool read_string(std::string& out) {
    if (!eat('"')) return false;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) return false;
      char e = s_[pos_++];
      switch (e) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        uint32_t cp = 0;
        if (!read_hex4(cp)) return false;
        if (cp >= 0xD800 && cp <= 0xDBFF && s_.substr(pos_, 2) == "\\u") {
          pos_ += 2;
          uint32_t low = 0;
          if (!read_hex4(low)) return false;
          cp = (low >= 0xDC00 && low <= 0xDFFF) ? 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)
                                                : 0xFFFD;
        } else if (cp >= 0xD800 && cp <= 0xDFFF) {
          cp = 0xFFFD;
        }
        append_utf8(out, cp);
        break;
      }
      default:
        out += e;
        break; // \" \\ \/
      }
    }
    return false;
  }

  bool read_integer(int64_t& out) {
    size_t start = pos_;
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9')
      ++pos_;
    auto [end, ec] = std::from_chars(s_.data() + start, s_.data() + pos_, out);
    return ec == std::errc{} && end == s_.data() + pos_ && pos_ > start;
  }

 private:
  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t'))
      ++pos_;
  }
  bool eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool read_hex4(uint32_t& out) {
    if (pos_ + 4 > s_.size()) return false;
    for (int k = 0; k < 4; ++k) {
      char c = s_[pos_++];
      out <<= 4;
      if (c >= '0' && c <= '9')
        out |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        out |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        out |= static_cast<uint32_t>(c - 'A' + 10);
      else
        return false;
    }
    return true;
  }
  static void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  bool skip_value(int depth) {
    if (depth > 32) return false;
    skip_ws();
    if (pos_ >= s_.size()) return false;
    char c = s_[pos_];
    if (c == '"') {
      std::string ignored;
      return read_string(ignored);
    }
    if (c == '{' || c == '[') {
      char close = c == '{' ? '}' : ']';
      ++pos_;
      skip_ws();
      if (eat(close)) return true;
      for (;;) {
        if (c == '{') {
          skip_ws();
          std::string ignored;
          if (!read_string(ignored)) return false;
          skip_ws();
          if (!eat(':')) return false;
        }
        if (!skip_value(depth + 1)) return false;
        skip_ws();
        if (eat(',')) continue;
        return eat(close);
      }
    }
    // number, true, false, null
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != '}' && s_[pos_] != ']' &&
           s_[pos_] != ' ' && s_[pos_] != '\n' && s_[pos_] != '\r' && s_[pos_] != '\t')
      ++pos_;
    return pos_ > start;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

} // namespace

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  size_t start = 0;
  size_t i = 0;
  auto flush_to = [&](size_t end) {
    if (start < end) out.append(s.data() + start, end - start);
  };
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      if (b >= 0x20 && b != '\\' && b != '"' && b != '<' && b != '>' && b != '&') {
        ++i;
        continue;
      }
      flush_to(i);
      switch (b) {
      case '\\':
      case '"':
        out += '\\';
        out += static_cast<char>(b);
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += "\\u00";
        out += hex_digits[b >> 4];
        out += hex_digits[b & 0xF];
      }
      start = ++i;
      continue;
    }
    uint32_t rune = 0;
    size_t len = utf8_length(s, i, rune);
    if (len == 0) {
      flush_to(i);
      out += "\\ufffd";
      start = ++i;
      continue;
    }
    if (rune == 0x2028 || rune == 0x2029) {
      flush_to(i);
      out += "\\u202";
      out += hex_digits[rune & 0xF];
      i += len;
      start = i;
      continue;
    }
    i += len;
  }
  flush_to(s.size());
  out += '"';
}

std::string format_exit_json(int exit_code, bool oom_killed, int64_t finished_at, int pid) {
  std::string out = "{\"exit_code\":" + std::to_string(exit_code);
  out += oom_killed ? ",\"oom_killed\":true" : ",\"oom_killed\":false";
  out += ",\"finished_at\":" + std::to_string(finished_at);
  out += ",\"pid\":" + std::to_string(pid) + "}";
  return out;
}

std::optional<std::string> find_json_string(std::string_view json,
                                            std::initializer_list<std::string_view> path) {
  json_cursor cursor{json};
  std::string out;
  if (!cursor.find(path) || !cursor.read_string(out)) return std::nullopt;
  return out;
}

std::optional<int64_t> find_json_integer(std::string_view json,
                                         std::initializer_list<std::string_view> path) {
  json_cursor cursor{json};
  int64_t out = 0;
  if (!cursor.find(path) || !cursor.read_integer(out)) return std::nullopt;
  return out;
}

} // namespace berth::shim
