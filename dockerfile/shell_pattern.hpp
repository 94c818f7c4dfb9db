// The shell patterns of ${var%pattern}, ${var#pattern} and ${var/pattern/replacement}: `*` any
// run, `?` one character, `\` quoting `*`, `?` or `\`. buildkit turns them into Go regular
// expressions; this matches them directly with the same leftmost-first preferences.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

namespace berth::dockerfile {

/// A compiled pattern. Like Go's regexp `.`, `?` and `*` never match a newline.
class shell_pattern {
 public:
  /// Compiles `pattern`; `greedy`: `*` prefers the longest run. Fails with "invalid escape '\x'"
  /// for a `\` before anything but `*`, `?`, `\` (or `}` and `/`, which are dropped).
  [[nodiscard]] static caf::expected<shell_pattern> compile(std::u32string_view pattern,
                                                            bool greedy);

  /// The leftmost match at or after `from`, as [begin, end) indexes into `text`; {npos, npos}
  /// when there is none. `anchored`: only a match beginning at `from`.
  [[nodiscard]] std::pair<size_t, size_t> find(std::u32string_view text, size_t from,
                                               bool anchored) const;

  /// find() with a scratch table shared by repeated searches in the same `text` (it depends only
  /// on the pattern and the text): start with an empty vector.
  [[nodiscard]] std::pair<size_t, size_t> find(std::u32string_view text, size_t from, bool anchored,
                                               std::vector<long>& memo) const;

 private:
  enum class token_kind { literal, any, star };
  struct token {
    token_kind kind;
    char32_t c;
  };

  /// For each start position, the end of the first match in preference order (-1: none),
  /// computed token by token from the last (iterative: no recursion on pattern length).
  [[nodiscard]] std::vector<long> match_ends(std::u32string_view text) const;

  std::vector<token> tokens_;
  bool greedy_ = true;
};

/// ${var#pattern} (shortest) and ${var##pattern} (`greedy`): `value` without its matching
/// prefix.
[[nodiscard]] caf::expected<std::u32string>
trim_prefix_pattern(std::u32string_view pattern, std::u32string_view value, bool greedy);

/// ${var%pattern} and ${var%%pattern}: `value` without its matching suffix.
[[nodiscard]] caf::expected<std::u32string>
trim_suffix_pattern(std::u32string_view pattern, std::u32string_view value, bool greedy);

/// ${var/pattern/replacement} (first match, replacement taken literally) and
/// ${var//pattern/replacement} (`all`: every match, the replacement expanded as Go's
/// Regexp.ReplaceAllString does: "$$" is "$", "$0" the match, other "$name" empty).
[[nodiscard]] caf::expected<std::u32string> replace_pattern(std::u32string_view pattern,
                                                            std::u32string_view replacement,
                                                            std::u32string_view value, bool all);

} // namespace berth::dockerfile
