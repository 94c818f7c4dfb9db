// Edit-distance suggestions for misspelt words.
#include "dockerfile/suggestion.hpp"

#include <algorithm>
#include <vector>

#include "dockerfile/go_unicode.hpp"

namespace berth::dockerfile {

namespace {

/// Levenshtein distance over code points (insert, delete, substitute: cost 1 each).
size_t edit_distance(std::string_view a_text, std::string_view b_text) {
  auto a = decode_utf8(a_text);
  auto b = decode_utf8(b_text);
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

} // namespace

std::optional<std::string> closest_option(std::string_view value,
                                          std::span<const std::string_view> options,
                                          bool case_sensitive) {
  std::string val = case_sensitive ? std::string{value} : ascii_lower(value);
  std::optional<std::string> match;
  size_t best = 3;
  for (auto option : options) {
    std::string opt = case_sensitive ? std::string{option} : ascii_lower(option);
    if (val == opt) return std::nullopt;
    auto distance = edit_distance(val, opt);
    if (distance < best) {
      best = distance;
      if (case_sensitive || value == ascii_lower(value))
        match = opt;
      else if (value == ascii_upper(value))
        match = ascii_upper(opt);
      else
        match = opt;
    }
  }
  return match;
}

std::string with_suggestion(std::string message, std::string_view value,
                            std::span<const std::string_view> options, bool case_sensitive) {
  if (auto match = closest_option(value, options, case_sensitive))
    message += " (did you mean " + *match + "?)";
  return message;
}

} // namespace berth::dockerfile
