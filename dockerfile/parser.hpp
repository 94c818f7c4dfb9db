// The Dockerfile parser's first stage: text → one node per instruction (buildkit's
// parser.Parse, which dockerd's classic builder uses): parser directives at the top
// (`# escape=`, `# syntax=`, `# check=`), comments, blank lines, line continuations with the
// escape character (comment and empty lines inside a continuation are skipped, the latter with
// a warning), leading `--flag` words, and each keyword's own argument splitting. Arguments keep
// their quotes and escapes: substitution (shell_lexer) removes them later, as dockerd does.
// Heredocs (`RUN <<EOF`) belong to BuildKit: the legacy builder refuses them here.
//
// Untrusted input: a physical line may be at most 64 KiB (as Go's line scanner), the whole text
// `max_dockerfile_bytes`. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

namespace berth::dockerfile {

/// The largest Dockerfile accepted (dockerd has no limit; this one is far beyond real files).
inline constexpr size_t max_dockerfile_bytes = 16u << 20;

/// The longest physical line, '\n' included (Go's bufio.MaxScanTokenSize).
inline constexpr size_t max_line_bytes = 64u << 10;

/// One instruction as split by the parser (buildkit's Node, flattened).
struct parsed_node {
  std::string keyword;            ///< as written: "RUN", "run", "Run"
  std::vector<std::string> flags; ///< leading "--name[=value]" words, quotes and escapes resolved
  /// The arguments as this keyword splits them:
  ///  - RUN CMD ENTRYPOINT SHELL: the JSON array, or one string (the text after the flags);
  ///  - ADD COPY VOLUME: the JSON array, or the words between runs of blanks;
  ///  - FROM EXPOSE: the words between runs of blanks;
  ///  - ENV LABEL: triples key, value, "=" (or "" for the legacy `ENV key value` form);
  ///  - ARG: shell-like words, quotes kept;
  ///  - MAINTAINER USER WORKDIR STOPSIGNAL: one string;
  ///  - HEALTHCHECK: the type word then its command as for CMD;
  ///  - ONBUILD: the trigger's keyword then the trigger's own arguments;
  ///  - any other keyword: none.
  std::vector<std::string> args;
  bool json = false;                ///< the arguments were a JSON array
  std::string original;             ///< the logical line, continuations joined
  int start_line = 0;               ///< 1-based line of the instruction's first line
  int end_line = 0;                 ///< its last line (continuations included)
  std::vector<parsed_node> trigger; ///< ONBUILD: the instruction it wraps (at most one)
};

/// A parsed Dockerfile.
struct parse_result {
  std::vector<parsed_node> nodes;
  char escape = '\\';                ///< from `# escape=`
  std::optional<std::string> syntax; ///< `# syntax=` (the legacy builder ignores it)
  std::optional<std::string> check;  ///< `# check=` (ignored)
  /// buildkit's warnings, e.g. "Empty continuation line found in: RUN a b": dockerd prints each
  /// as "[WARNING]: <text>" on the build's error stream, then once "[WARNING]: Empty continuation
  /// lines will become errors in a future release." (see warning_lines).
  std::vector<std::string> warnings;
};

/// Parses Dockerfile text. Errors are buildkit's messages without dockerd's "failed to parse
/// Dockerfile: " prefix (parse_dockerfile in instructions.hpp adds it): "file with no
/// instructions", "only one escape parser directive can be used", "invalid escape token '%' does
/// not match ` or \", "when using JSON array syntax, arrays must be comprised of strings only",
/// "ENV must have two arguments", "dockerfile line greater than max allowed size of 65535", and
/// the legacy builder's heredoc refusal.
[[nodiscard]] caf::expected<parse_result> parse_nodes(std::string_view text);

/// The lines dockerd writes for `warnings` (empty when there are none).
[[nodiscard]] std::vector<std::string> warning_lines(const std::vector<std::string>& warnings);

} // namespace berth::dockerfile
