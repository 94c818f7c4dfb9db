// .dockerignore: reading the file (moby/patternmatcher/ignorefile) and matching paths against
// its patterns (patternmatcher), with the rules the docker CLI and dockerd apply:
//  - lines starting with '#' are comments; blank lines are skipped; each pattern is trimmed,
//    path-cleaned and loses a leading '/';
//  - `*` matches within one path component, `?` one character, `[...]` a class, `\` escapes;
//  - `**` matches any number of components (also none): "**/x", "a/**", "a/**/b";
//  - a later `!pattern` re-includes what earlier patterns excluded; the last match wins;
//  - a path is excluded when it, or one of its parent directories, matches.
// Pure; a matcher is immutable after compile and safe to share between threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "dockerfile/path_regex.hpp"

namespace berth::dockerfile {

/// The name of the file in the context root.
inline constexpr std::string_view dockerignore_name = ".dockerignore";

/// ignorefile.ReadAll: the patterns of a .dockerignore file, in order ("!" kept in front).
[[nodiscard]] std::vector<std::string> read_ignore_patterns(std::string_view text);

/// One compiled pattern.
class ignore_pattern {
 public:
  /// The cleaned pattern without its '!'.
  [[nodiscard]] const std::string& text() const noexcept { return text_; }
  [[nodiscard]] bool exclusion() const noexcept { return exclusion_; }

  /// Whether `path` (slash-separated, relative) matches the pattern itself (no parent rule).
  /// Fails with "syntax error in pattern" when the pattern's regexp does not compile.
  [[nodiscard]] caf::expected<bool> matches(std::string_view path) const;

 private:
  friend class ignore_matcher;
  enum class kind { exact, prefix, suffix, regex };

  std::string text_;
  bool exclusion_ = false;
  kind kind_ = kind::exact;
  std::optional<path_regex> regex_;
  caf::error compile_error_; ///< reported when the pattern is evaluated, as Go does
};

/// A list of patterns.
class ignore_matcher {
 public:
  /// patternmatcher.New: blank patterns skipped, each trimmed and cleaned. Fails with
  /// `illegal exclusion pattern: "!"` or "syntax error in pattern" (Go's filepath.Match check).
  [[nodiscard]] static caf::expected<ignore_matcher>
  compile(const std::vector<std::string>& patterns);

  /// MatchesOrParentMatches: whether `path` (slash-separated, relative, cleaned) is excluded:
  /// the last pattern matching it or one of its parent directories decides.
  [[nodiscard]] caf::expected<bool> excluded(std::string_view path) const;

  /// Whether some `!` pattern could re-include something under the directory `dir`: the docker
  /// CLI only looks inside an excluded directory when an exclusion pattern starts with "<dir>/".
  [[nodiscard]] bool may_reinclude_below(std::string_view dir) const;

  [[nodiscard]] bool has_exclusions() const noexcept { return exclusions_; }
  [[nodiscard]] bool empty() const noexcept { return patterns_.empty(); }
  [[nodiscard]] const std::vector<ignore_pattern>& patterns() const noexcept { return patterns_; }

 private:
  std::vector<ignore_pattern> patterns_;
  bool exclusions_ = false;
};

} // namespace berth::dockerfile
