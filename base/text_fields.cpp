// Lines, fields and numbers of line-oriented text.
#include "base/text_fields.hpp"

#include <charconv>

namespace berth {

std::vector<std::string_view> text_lines(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::vector<std::string_view> text_fields(std::string_view line, std::string_view separators) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && separators.find(line[i]) != std::string_view::npos)
      ++i;
    auto start = i;
    while (i < line.size() && separators.find(line[i]) == std::string_view::npos)
      ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

std::optional<uint64_t> parse_u64(std::string_view text, int bits) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  if (bits < 64 && v >> bits != 0) return std::nullopt;
  return v;
}

} // namespace berth
