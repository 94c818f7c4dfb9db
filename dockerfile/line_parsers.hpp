// How the parser splits one logical line: keyword, `--flags`, then arguments by the keyword's
// rules (buildkit's splitCommand, extractBuilderFlags and line_parsers). Used by parser.cpp;
// public for its tests.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/expected.hpp>

#include "dockerfile/parser.hpp"

namespace berth::dockerfile {

/// A line cut into keyword, flags and the rest (trimmed).
struct command_split {
  std::string keyword;
  std::vector<std::string> flags;
  std::string rest;
};

/// splitCommand: the first word is the keyword; then extract_builder_flags.
[[nodiscard]] command_split split_command(std::string_view line, char escape);

/// extractBuilderFlags: leading words starting with "--" (quotes and escapes resolved; a bare
/// "--" ends them) and the text after them. Like Go indexing bytes, bytes 0x80-0xFF in a flag
/// come out as the code points U+0080-U+00FF.
[[nodiscard]] std::pair<std::string, std::vector<std::string>>
extract_builder_flags(std::string_view line, char escape);

/// parseWords: words separated by white space, quotes and escape characters kept in them.
[[nodiscard]] std::vector<std::string> split_raw_words(std::string_view text, char escape);

/// newNodeFromLine: the node for one logical line (line numbers are left to the caller).
/// `depth` counts ONBUILD nesting.
[[nodiscard]] caf::expected<parsed_node> parse_line(std::string_view line, char escape,
                                                    int depth = 0);

/// Whether the line has a heredoc the parser would read (RUN/COPY/ADD in shell form, also
/// behind ONBUILD): returns the heredoc word ("<<EOF") or "".
[[nodiscard]] std::string find_heredoc(const parsed_node& node);

/// Whether `word` is a heredoc marker ("<<EOF", "<<-EOF", "2<<'EOF'") by buildkit's rules.
[[nodiscard]] bool is_heredoc_word(std::string_view word);

} // namespace berth::dockerfile
