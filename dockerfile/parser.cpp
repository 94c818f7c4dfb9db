// Dockerfile text → nodes: directives, comments, continuations (buildkit's parser.Parse).
#include "dockerfile/parser.hpp"

#include <set>

#include "base/error.hpp"
#include "dockerfile/go_unicode.hpp"
#include "dockerfile/line_parsers.hpp"

namespace berth::dockerfile {

namespace {

caf::error fail(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

/// The parser directives at the top of the file, read until the first line that is not one.
class directive_reader {
 public:
  /// Reads one line (newline and, for the first line of an instruction, leading white space
  /// removed); returns whether it was a directive.
  caf::expected<bool> read(std::string_view line, parse_result& out) {
    if (done_) return false;
    if (line.empty() || line.front() != '#') {
      done_ = true;
      return false;
    }
    auto rest = trim_go_space_left(line.substr(1));
    auto directive = match(rest);
    if (!directive) {
      done_ = true;
      return false;
    }
    auto& [key, value] = *directive;
    if (key != "syntax" && key != "escape" && key != "check") {
      done_ = true;
      return false;
    }
    if (!seen_.insert(key).second) return fail("only one " + key + " parser directive can be used");
    if (key == "escape") {
      if (value != "`" && value != "\\")
        return fail("invalid escape token '" + value + "' does not match ` or \\");
      out.escape = value.front();
    } else if (key == "syntax") {
      out.syntax = value;
    } else {
      out.check = value;
    }
    return true;
  }

 private:
  /// ^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$ (\s is [\t\n\f\r ]; `.` is anything but '\n').
  static std::optional<std::pair<std::string, std::string>> match(std::string_view s) {
    auto is_s = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; };
    auto is_alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    auto is_alnum = [&](char c) { return is_alpha(c) || (c >= '0' && c <= '9'); };
    if (s.empty() || !is_alpha(s.front())) return std::nullopt;
    size_t i = 1;
    while (i < s.size() && is_alnum(s[i]))
      ++i;
    auto key = ascii_lower(s.substr(0, i));
    while (i < s.size() && is_s(s[i]))
      ++i;
    if (i == s.size() || s[i] != '=') return std::nullopt;
    ++i;
    while (i < s.size() && is_s(s[i]))
      ++i;
    auto value = s.substr(i);
    while (!value.empty() && is_s(value.back()))
      value.remove_suffix(1);
    if (value.empty() || value.find('\n') != std::string_view::npos) return std::nullopt;
    return std::pair{key, std::string{value}};
  }

  bool done_ = false;
  std::set<std::string> seen_;
};

/// Go's bytes.TrimRight(line, "\r\n").
std::string_view trim_newline(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
    line.remove_suffix(1);
  return line;
}

bool is_comment(std::string_view line) {
  auto rest = trim_go_space_left(line);
  return !rest.empty() && rest.front() == '#';
}

/// trimContinuationCharacter: a line ending with the escape character (then blanks) continues,
/// unless that escape character is itself escaped. Returns whether the instruction ends here.
bool trim_continuation(std::string& line, char escape) {
  size_t end = line.size();
  while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t'))
    --end;
  if (end == 0 || line[end - 1] != escape) return true;
  if (end == 1) {
    line.clear();
    return false;
  }
  if (line[end - 2] == escape) return true;
  line.resize(end - 1);
  return false;
}

/// The physical lines of `text`, each with its '\n' (the last one may have none).
std::vector<std::string_view> physical_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    auto end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return lines;
}

/// One instruction read from the lines: its text and the lines it spans.
struct logical_line {
  std::string text;
  int start = 0;
  int end = 0;
  bool empty_continuation = false;
};

class line_reader {
 public:
  explicit line_reader(std::string_view text) : lines_(physical_lines(text)) {}

  /// The next instruction's text; nullopt at the end. Errors: directives, an over-long line.
  caf::expected<std::optional<logical_line>> next(directive_reader& directives, parse_result& out) {
    while (index_ < lines_.size()) {
      auto raw = take();
      if (!raw) return raw.error();
      auto first = process(directives, *raw, true, out);
      if (!first) return first.error();
      logical_line line;
      line.start = current_;
      line.text = std::move(*first);
      bool ended = trim_continuation(line.text, out.escape);
      if (ended && line.text.empty()) continue;
      while (!ended && index_ < lines_.size()) {
        auto more = take();
        if (!more) return more.error();
        auto processed = process(directives, *more, false, out);
        if (!processed) return processed.error();
        if (is_comment(*more)) continue;
        if (trim_go_space_left(*processed).empty()) {
          line.empty_continuation = true;
          continue;
        }
        ended = trim_continuation(*processed, out.escape);
        line.text += *processed;
      }
      line.end = current_;
      return line;
    }
    return std::optional<logical_line>{};
  }

 private:
  caf::expected<std::string_view> take() {
    auto raw = lines_[index_++];
    if (raw.size() > max_line_bytes)
      return fail("dockerfile line greater than max allowed size of " +
                  std::to_string(max_line_bytes - 1));
    if (current_ == 0 && raw.starts_with("\xEF\xBB\xBF")) raw.remove_prefix(3);
    ++current_;
    return raw;
  }

  /// processLine: newline (and maybe leading blanks) off, directives noted, comments emptied.
  static caf::expected<std::string> process(directive_reader& directives, std::string_view raw,
                                            bool strip_left, parse_result& out) {
    auto line = trim_newline(raw);
    if (strip_left) line = trim_go_space_left(line);
    if (auto directive = directives.read(line, out); !directive) return directive.error();
    if (is_comment(line)) return std::string{};
    return std::string{line};
  }

  std::vector<std::string_view> lines_;
  size_t index_ = 0;
  int current_ = 0;
};

} // namespace

caf::expected<parse_result> parse_nodes(std::string_view text) {
  if (text.size() > max_dockerfile_bytes)
    return fail("the Dockerfile is larger than " + std::to_string(max_dockerfile_bytes >> 20) +
                " MiB");
  parse_result out;
  directive_reader directives;
  line_reader reader{text};
  caf::error deferred; // an over-long line ends the file; "no instructions" still comes first
  for (;;) {
    auto line = reader.next(directives, out);
    if (!line) {
      if (error_message(line.error()).starts_with("dockerfile line greater")) {
        deferred = line.error();
        break;
      }
      return line.error();
    }
    if (!*line) break;
    auto& l = **line;
    if (l.empty_continuation) out.warnings.push_back("Empty continuation line found in: " + l.text);
    auto node = parse_line(l.text, out.escape);
    if (!node) return node.error();
    if (auto heredoc = find_heredoc(*node); !heredoc.empty())
      return fail("line " + std::to_string(l.start) + ": heredocs (" + heredoc +
                  ") are not supported by the legacy builder; build with BuildKit to use them");
    node->start_line = l.start;
    node->end_line = l.end;
    out.nodes.push_back(std::move(*node));
  }
  if (out.nodes.empty()) return fail("file with no instructions");
  if (deferred) return deferred;
  return out;
}

std::vector<std::string> warning_lines(const std::vector<std::string>& warnings) {
  std::vector<std::string> out;
  for (const auto& w : warnings)
    out.push_back("[WARNING]: " + w + "\n");
  if (!warnings.empty())
    out.emplace_back(
        "[WARNING]: Empty continuation lines will become errors in a future release.\n");
  return out;
}

} // namespace berth::dockerfile
