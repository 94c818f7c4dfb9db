// .dockerignore patterns, compiled and matched as moby/patternmatcher does.
#include "dockerfile/dockerignore.hpp"

#include "base/error.hpp"
#include "dockerfile/go_path_match.hpp"
#include "dockerfile/go_unicode.hpp"
#include "runtime/go_text.hpp"

namespace berth::dockerfile {

namespace {

/// Characters patternmatcher escapes before handing the pattern to the regexp compiler.
bool regex_special(char32_t c) {
  return c == U'.' || c == U'+' || c == U'(' || c == U')' || c == U'|' || c == U'{' || c == U'}' ||
         c == U'$';
}

/// filepath.Clean that keeps "" as "" (Clean would make it ".").
std::string clean(std::string_view pattern) {
  return runtime::clean_path(pattern);
}

} // namespace

std::vector<std::string> read_ignore_patterns(std::string_view text) {
  std::vector<std::string> out;
  bool first = true;
  size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    auto line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    // bufio.ScanLines drops a '\r' before the '\n'.
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (first && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
    first = false;
    if (line.starts_with("#")) continue;
    auto pattern = trim_go_space(line);
    if (pattern.empty()) continue;
    bool invert = pattern.front() == '!';
    if (invert) pattern = trim_go_space(pattern.substr(1));
    std::string cleaned{pattern};
    if (!cleaned.empty()) {
      cleaned = clean(cleaned);
      if (cleaned.size() > 1 && cleaned.front() == '/') cleaned.erase(0, 1);
    }
    if (invert) cleaned.insert(cleaned.begin(), '!');
    out.push_back(std::move(cleaned));
  }
  return out;
}

caf::expected<bool> ignore_pattern::matches(std::string_view path) const {
  if (compile_error_) return compile_error_;
  switch (kind_) {
  case kind::exact:
    return path == text_;
  case kind::prefix:
    return path.starts_with(std::string_view{text_}.substr(0, text_.size() - 2));
  case kind::suffix: {
    auto suffix = std::string_view{text_}.substr(2);
    if (path.ends_with(suffix)) return true;
    return !suffix.empty() && suffix.front() == '/' && path == suffix.substr(1);
  }
  case kind::regex:
    return regex_->search(decode_utf8(path));
  }
  return false;
}

caf::expected<ignore_matcher> ignore_matcher::compile(const std::vector<std::string>& patterns) {
  ignore_matcher out;
  for (const auto& raw : patterns) {
    auto trimmed = trim_go_space(raw);
    if (trimmed.empty()) continue;
    auto p = clean(trimmed);
    ignore_pattern pattern;
    if (p.front() == '!') {
      if (p.size() == 1)
        return make_error(errc::invalid_argument, "illegal exclusion pattern: \"!\"");
      pattern.exclusion_ = true;
      p.erase(0, 1);
      out.exclusions_ = true;
    }
    if (auto check = go_path_match(p, "."); !check) return check.error();
    pattern.text_ = p;

    // patternmatcher's compile: the regexp, and whether a cheaper comparison does the same.
    std::u32string regex = U"^";
    auto kind = ignore_pattern::kind::exact;
    auto chars = decode_utf8(p);
    if (!chars.empty() && chars.front() == 0xFEFF) chars.erase(0, 1); // text/scanner skips a BOM
    for (size_t i = 0, step = 0; i < chars.size(); ++i, ++step) {
      char32_t ch = chars[i];
      if (ch == U'*') {
        if (i + 1 < chars.size() && chars[i + 1] == U'*') {
          ++i;
          if (i + 1 < chars.size() && chars[i + 1] == U'/') ++i; // "**/" is "**"
          if (i + 1 == chars.size()) {
            // A trailing "**" takes everything, as in .gitignore.
            if (kind == ignore_pattern::kind::exact) {
              kind = ignore_pattern::kind::prefix;
            } else {
              regex += U".*";
              kind = ignore_pattern::kind::regex;
            }
          } else {
            regex += U"(.*/)?";
            kind = ignore_pattern::kind::regex;
          }
          if (step == 0) kind = ignore_pattern::kind::suffix;
        } else {
          regex += U"[^/]*";
          kind = ignore_pattern::kind::regex;
        }
      } else if (ch == U'?') {
        regex += U"[^/]";
        kind = ignore_pattern::kind::regex;
      } else if (regex_special(ch)) {
        regex += U'\\';
        regex += ch;
      } else if (ch == U'\\') {
        if (i + 1 < chars.size()) {
          regex += U'\\';
          regex += chars[++i];
          kind = ignore_pattern::kind::regex;
        } else {
          regex += U'\\';
        }
      } else if (ch == U'[' || ch == U']') {
        regex += ch;
        kind = ignore_pattern::kind::regex;
      } else {
        regex += ch;
      }
    }
    pattern.kind_ = kind;
    if (kind == ignore_pattern::kind::regex) {
      regex += U'$';
      auto compiled = path_regex::compile(regex);
      if (compiled)
        pattern.regex_ = std::move(*compiled);
      else
        pattern.compile_error_ = compiled.error();
    }
    out.patterns_.push_back(std::move(pattern));
  }
  return out;
}

caf::expected<bool> ignore_matcher::excluded(std::string_view path) const {
  auto slash = path.rfind('/');
  // path.Dir: "." for a name at the top.
  std::string parent;
  if (slash == std::string_view::npos)
    parent.push_back('.');
  else if (slash == 0)
    parent.push_back('/');
  else
    parent = clean(path.substr(0, slash));
  bool matched = false;
  for (const auto& pattern : patterns_) {
    // An inclusion cannot change an excluded path, nor an exclusion an included one.
    if (pattern.exclusion_ != matched) continue;
    auto match = pattern.matches(path);
    if (!match) return match.error();
    if (!*match && parent != ".") {
      // Each parent directory in turn, from the top.
      for (size_t end = 0; end != std::string::npos;) {
        end = parent.find('/', end + 1);
        auto prefix = std::string_view{parent}.substr(0, end);
        auto parent_match = pattern.matches(prefix);
        if (parent_match && *parent_match) {
          match = true;
          break;
        }
      }
    }
    if (*match) matched = !pattern.exclusion_;
  }
  return matched;
}

bool ignore_matcher::may_reinclude_below(std::string_view dir) const {
  for (const auto& pattern : patterns_) {
    if (!pattern.exclusion_) continue;
    // (pattern + "/") starts with (dir + "/").
    std::string_view text = pattern.text_;
    if (text.size() >= dir.size() && text.starts_with(dir) &&
        (text.size() == dir.size() || text[dir.size()] == '/'))
      return true;
  }
  return false;
}

} // namespace berth::dockerfile
