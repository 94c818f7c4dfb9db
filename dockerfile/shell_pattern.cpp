// Shell patterns for ${var%...}, ${var#...} and ${var/.../...}.
#include "dockerfile/shell_pattern.hpp"

#include <algorithm>

#include "base/error.hpp"
#include "dockerfile/go_unicode.hpp"

namespace berth::dockerfile {

namespace {

constexpr auto npos = std::u32string_view::npos;

/// The most pattern characters times value characters matched: the work is proportional.
constexpr size_t max_work = size_t{1} << 24;

caf::error invalid_pattern(std::u32string_view pattern, const caf::error& why) {
  return make_error(errc::invalid_argument, "invalid pattern (" + encode_utf8(pattern) +
                                                ") in substitution: " + error_message(why));
}

/// Reverses a pattern keeping each escape before the character it quotes ("a\*c" → "c\*a").
std::u32string reverse_pattern(std::u32string_view pattern) {
  std::u32string out(pattern.size(), U'\0');
  size_t last = pattern.size() - 1;
  for (size_t i = 0; i < pattern.size();) {
    size_t at = last - i;
    if (pattern[i] == U'\\' && i != last) {
      out[at - 1] = pattern[i];
      out[at] = pattern[i + 1];
      i += 2;
    } else {
      out[at] = pattern[i];
      ++i;
    }
  }
  return out;
}

/// Go's regexp template expansion for a pattern without groups: "$$" → "$", "$0"/"${0}" → the
/// match, any other "$name"/"${name}" → "", a malformed "$" stays.
std::u32string expand_template(std::u32string_view replacement, std::u32string_view match) {
  auto is_name_char = [](char32_t c) {
    return c == U'_' || (c >= U'0' && c <= U'9') || (c >= U'a' && c <= U'z') ||
           (c >= U'A' && c <= U'Z');
  };
  std::u32string out;
  for (size_t i = 0; i < replacement.size(); ++i) {
    if (replacement[i] != U'$') {
      out += replacement[i];
      continue;
    }
    if (i + 1 < replacement.size() && replacement[i + 1] == U'$') {
      out += U'$';
      ++i;
      continue;
    }
    size_t begin = i + 1;
    size_t end = begin;
    bool braced = begin < replacement.size() && replacement[begin] == U'{';
    if (braced) ++begin, ++end;
    while (end < replacement.size() && is_name_char(replacement[end]))
      ++end;
    bool ok = end > begin && (!braced || (end < replacement.size() && replacement[end] == U'}'));
    if (!ok) {
      out += U'$';
      continue;
    }
    auto name = replacement.substr(begin, end - begin);
    // A number names a group: only 0 (the whole match) exists. Leading zeros still count.
    bool number =
        std::all_of(name.begin(), name.end(), [](char32_t c) { return c >= U'0' && c <= U'9'; });
    if (number && std::all_of(name.begin(), name.end(), [](char32_t c) { return c == U'0'; }))
      out += match;
    i = braced ? end : end - 1;
  }
  return out;
}

} // namespace

caf::expected<shell_pattern> shell_pattern::compile(std::u32string_view pattern, bool greedy) {
  shell_pattern out;
  out.greedy_ = greedy;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char32_t c = pattern[i];
    if (c == U'*') {
      out.tokens_.push_back({token_kind::star, 0});
      continue;
    }
    if (c == U'?') {
      out.tokens_.push_back({token_kind::any, 0});
      continue;
    }
    if (c == U'\\') {
      // "\}" and "\/" only protected the ${} syntax: the escape is dropped.
      if (i + 1 < pattern.size() && (pattern[i + 1] == U'}' || pattern[i + 1] == U'/')) continue;
      if (i + 1 >= pattern.size())
        return make_error(errc::invalid_argument, "invalid escape '\\\xEF\xBF\xBD'");
      char32_t next = pattern[++i];
      if (next != U'*' && next != U'?' && next != U'\\') {
        std::string text = "invalid escape '\\";
        append_utf8(text, next);
        return make_error(errc::invalid_argument, text + "'");
      }
      out.tokens_.push_back({token_kind::literal, next});
      continue;
    }
    out.tokens_.push_back({token_kind::literal, c});
  }
  return out;
}

std::vector<long> shell_pattern::match_ends(std::u32string_view text) const {
  size_t n = text.size();
  // next[pos]: where the tokens after the current one end when they start at pos.
  std::vector<long> next(n + 1);
  for (size_t pos = 0; pos <= n; ++pos)
    next[pos] = static_cast<long>(pos);
  std::vector<long> current(n + 1, -1);
  for (size_t t = tokens_.size(); t-- > 0;) {
    const auto& tok = tokens_[t];
    if (tok.kind == token_kind::star) {
      // A star covers [pos, stop) where stop is the next newline: the greedy one prefers the
      // latest end in that range where the rest matches, the lazy one the earliest.
      long best = -1;
      for (size_t i = n + 1; i-- > 0;) {
        bool boundary = i == n || text[i] == U'\n';
        bool ok = next[i] >= 0;
        if (boundary)
          best = ok ? static_cast<long>(i) : -1;
        else if (greedy_)
          best = best >= 0 ? best : (ok ? static_cast<long>(i) : -1);
        else
          best = ok ? static_cast<long>(i) : best;
        current[i] = best >= 0 ? next[static_cast<size_t>(best)] : -1;
      }
    } else {
      for (size_t pos = 0; pos <= n; ++pos) {
        bool ok =
            pos < n && (tok.kind == token_kind::any ? text[pos] != U'\n' : text[pos] == tok.c);
        current[pos] = ok ? next[pos + 1] : -1;
      }
    }
    std::swap(current, next);
  }
  return next;
}

std::pair<size_t, size_t> shell_pattern::find(std::u32string_view text, size_t from,
                                              bool anchored) const {
  std::vector<long> ends;
  return find(text, from, anchored, ends);
}

std::pair<size_t, size_t> shell_pattern::find(std::u32string_view text, size_t from, bool anchored,
                                              std::vector<long>& ends) const {
  if (ends.empty()) ends = match_ends(text);
  for (size_t start = from; start <= text.size(); ++start) {
    if (ends[start] >= 0) return {start, static_cast<size_t>(ends[start])};
    if (anchored) break;
  }
  return {npos, npos};
}

static caf::error too_large(std::u32string_view pattern, std::u32string_view value) {
  if ((pattern.size() + 1) * (value.size() + 1) <= max_work) return {};
  return make_error(errc::invalid_argument, "invalid pattern (" + encode_utf8(pattern) +
                                                ") in substitution: too long for its value");
}

caf::expected<std::u32string> trim_prefix_pattern(std::u32string_view pattern,
                                                  std::u32string_view value, bool greedy) {
  if (auto err = too_large(pattern, value)) return err;
  auto compiled = shell_pattern::compile(pattern, greedy);
  if (!compiled) return invalid_pattern(pattern, compiled.error());
  auto [begin, end] = compiled->find(value, 0, true);
  if (begin == npos) return std::u32string{value};
  return std::u32string{value.substr(end)};
}

caf::expected<std::u32string> trim_suffix_pattern(std::u32string_view pattern,
                                                  std::u32string_view value, bool greedy) {
  // Shortest rightmost matches are leftmost ones of the reversed pattern in the reversed value.
  auto reversed_pattern = pattern.empty() ? std::u32string{} : reverse_pattern(pattern);
  std::u32string reversed_value{value.rbegin(), value.rend()};
  auto trimmed = trim_prefix_pattern(reversed_pattern, reversed_value, greedy);
  if (!trimmed) return trimmed;
  return std::u32string{trimmed->rbegin(), trimmed->rend()};
}

caf::expected<std::u32string> replace_pattern(std::u32string_view pattern,
                                              std::u32string_view replacement,
                                              std::u32string_view value, bool all) {
  if (auto err = too_large(pattern, value)) return err;
  auto compiled = shell_pattern::compile(pattern, true);
  if (!compiled) return invalid_pattern(pattern, compiled.error());
  if (!all) {
    auto [begin, end] = compiled->find(value, 0, false);
    if (begin == npos) return std::u32string{value};
    std::u32string out{value.substr(0, begin)};
    out += replacement;
    out += value.substr(end);
    return out;
  }
  // Regexp.ReplaceAllString: successive non-overlapping matches; an empty match right after a
  // match is not replaced; the search always advances.
  std::u32string out;
  size_t last_end = 0;
  size_t search = 0;
  std::vector<long> ends;
  while (search <= value.size()) {
    auto [begin, end] = compiled->find(value, search, false, ends);
    if (begin == npos) break;
    out += value.substr(last_end, begin - last_end);
    if (end > last_end || begin == 0)
      out += expand_template(replacement, value.substr(begin, end - begin));
    last_end = end;
    search = search + 1 > end ? search + 1 : end;
  }
  out += value.substr(last_end);
  return out;
}

} // namespace berth::dockerfile
