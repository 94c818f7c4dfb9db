// Docker's size strings.
#include "base/units.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace berth::units {

namespace {

std::optional<int64_t> parse_size(std::string_view text, double base) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  if (i == 0) return std::nullopt;
  std::string number{text.substr(0, i)};
  char* end = nullptr;
  double value = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size() || value < 0) return std::nullopt;
  std::string suffix;
  for (char c : text.substr(i))
    suffix += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // Accept "k", "kb", "kib", and the bare "b".
  if (suffix.size() == 3 && suffix.substr(1) == "ib")
    suffix.resize(1);
  else if (suffix.size() == 2 && suffix[1] == 'b')
    suffix.resize(1);
  double mult = 1;
  if (suffix.empty() || suffix == "b")
    mult = 1;
  else if (suffix == "k")
    mult = base;
  else if (suffix == "m")
    mult = base * base;
  else if (suffix == "g")
    mult = base * base * base;
  else if (suffix == "t")
    mult = base * base * base * base;
  else if (suffix == "p")
    mult = base * base * base * base * base;
  else
    return std::nullopt;
  double bytes = value * mult;
  if (bytes > 9.2e18) return std::nullopt;
  return static_cast<int64_t>(bytes);
}

} // namespace

std::optional<int64_t> parse_ram_bytes(std::string_view text) {
  return parse_size(text, 1024);
}

std::optional<int64_t> parse_human_size(std::string_view text) {
  return parse_size(text, 1000);
}

std::string human_size(double bytes) {
  static constexpr const char* names[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  int i = 0;
  while (bytes >= 1000 && i < 6) {
    bytes /= 1000;
    ++i;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g%s", bytes, names[i]);
  return buf;
}

} // namespace berth::units
