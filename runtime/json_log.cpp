// Reading Docker's json-file container logs.
#include "runtime/json_log.hpp"

#include <unistd.h>

#include "base/time.hpp"

namespace berth::runtime {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, uint32_t cp) {
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

// Reads a JSON string starting after its opening quote; returns the position after the closing
// quote, or npos.
size_t read_string(std::string_view s, size_t pos, std::string& out) {
  out.clear();
  while (pos < s.size()) {
    // Copy the run of plain characters in one go.
    size_t run = pos;
    while (run < s.size() && s[run] != '"' && s[run] != '\\')
      ++run;
    out.append(s.data() + pos, run - pos);
    pos = run;
    if (pos >= s.size()) return std::string_view::npos;
    if (s[pos] == '"') return pos + 1;
    if (pos + 1 >= s.size()) return std::string_view::npos;
    char e = s[pos + 1];
    pos += 2;
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
    case '/':
      out += '/';
      break;
    case '\\':
      out += '\\';
      break;
    case '"':
      out += '"';
      break;
    case 'u': {
      if (pos + 4 > s.size()) return std::string_view::npos;
      uint32_t cp = 0;
      for (int i = 0; i < 4; ++i) {
        int h = hex_value(s[pos + static_cast<size_t>(i)]);
        if (h < 0) return std::string_view::npos;
        cp = (cp << 4) | static_cast<uint32_t>(h);
      }
      pos += 4;
      // A surrogate pair.
      if (cp >= 0xD800 && cp < 0xDC00 && pos + 6 <= s.size() && s[pos] == '\\' &&
          s[pos + 1] == 'u') {
        uint32_t low = 0;
        bool ok = true;
        for (int i = 0; i < 4; ++i) {
          int h = hex_value(s[pos + 2 + static_cast<size_t>(i)]);
          ok = ok && h >= 0;
          low = (low << 4) | static_cast<uint32_t>(h < 0 ? 0 : h);
        }
        if (ok && low >= 0xDC00 && low < 0xE000) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          pos += 6;
        }
      }
      append_utf8(out, cp);
      break;
    }
    default:
      return std::string_view::npos;
    }
  }
  return std::string_view::npos;
}

} // namespace

bool parse_log_line(std::string_view line, log_entry& out) {
  size_t pos = 0;
  std::string key;
  std::string value;
  bool have_log = false;
  out.stream = 1;
  out.time.clear();
  while (pos < line.size()) {
    auto q = line.find('"', pos);
    if (q == std::string_view::npos) break;
    pos = read_string(line, q + 1, key);
    if (pos == std::string_view::npos) return false;
    auto colon = line.find(':', pos);
    if (colon == std::string_view::npos) return false;
    auto vq = line.find('"', colon);
    if (vq == std::string_view::npos) return false;
    if (key == "log") {
      pos = read_string(line, vq + 1, out.text);
      have_log = pos != std::string_view::npos;
    } else {
      pos = read_string(line, vq + 1, value);
      if (key == "stream")
        out.stream = value == "stderr" ? 2 : 1;
      else if (key == "time")
        out.time = value;
    }
    if (pos == std::string_view::npos) return false;
  }
  if (!have_log) return false;
  // Every line carries its time: since/until and --timestamps depend on it.
  auto time = parse_rfc3339(out.time);
  if (!time) return false;
  out.time_nanos = *time;
  return true;
}

std::vector<std::string> log_files(const std::string& path) {
  std::vector<std::string> rotated;
  for (int i = 1; i < 1000; ++i) {
    auto p = path + "." + std::to_string(i);
    if (::access(p.c_str(), F_OK) != 0) break;
    rotated.push_back(p);
  }
  std::vector<std::string> out(rotated.rbegin(), rotated.rend());
  if (::access(path.c_str(), F_OK) == 0) out.push_back(path);
  return out;
}

} // namespace berth::runtime
