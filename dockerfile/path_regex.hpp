// The regular expressions .dockerignore patterns become (patternmatcher compiles each pattern to
// a Go regexp): a small engine for the part of Go's RE2 syntax those can contain, so matching
// agrees with dockerd and the docker CLI, odd patterns included.
//
// Syntax: literals; `\` before punctuation; \d \D \s \S \w \W; \a \f \n \r \t \v; `.`
// (anything but '\n'); classes `[...]` / `[^...]` with ranges, escapes, [:name:] POSIX classes
// and a literal ']' first; `(...)` groups; `*` and `?` after an atom; `^` and `$` (text start and
// end). Anything else (alternation, `+`, counted repetition, \b, \p{..}, \x..) fails to compile
// with "syntax error in pattern" — Go accepts a few of those, but patternmatcher never produces
// them from a pattern without a backslash-letter escape. Matching is linear (an NFA simulation).
#pragma once

#include <string_view>
#include <vector>

#include <caf/expected.hpp>

namespace berth::dockerfile {

class path_regex {
 public:
  /// Compiles `expr` (Go's regexp.Compile for this subset).
  [[nodiscard]] static caf::expected<path_regex> compile(std::u32string_view expr);

  /// Go's MatchString: whether `text` contains a match (the patterns are anchored with ^...$).
  [[nodiscard]] bool search(std::u32string_view text) const;

 private:
  struct range {
    char32_t lo;
    char32_t hi;
  };
  /// One NFA state.
  struct state {
    enum class kind { chars, split, text_begin, text_end, match } type;
    std::vector<range> ranges; ///< chars: the accepted code points (already negated if needed)
    int next = -1;
    int alt = -1; ///< split: the second way
  };

  friend class regex_builder;

  void add_closure(std::vector<int>& set, std::vector<char>& on, int s, size_t pos,
                   size_t size) const;

  std::vector<state> states_;
  int start_ = -1;
};

} // namespace berth::dockerfile
