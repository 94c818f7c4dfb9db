// Splitting one logical Dockerfile line: keyword, flags, arguments.
#include "dockerfile/line_parsers.hpp"

#include "base/error.hpp"
#include "dockerfile/arguments.hpp"
#include "dockerfile/go_unicode.hpp"
#include "dockerfile/shell_lexer.hpp"
#include "runtime/go_text.hpp"

namespace berth::dockerfile {

namespace {

/// ONBUILD may wrap ONBUILD only so deep before the nesting is left unparsed (it is refused
/// later anyway: "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed").
constexpr int max_trigger_depth = 8;

caf::error fail(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

/// The blanks of buildkit's reWhitespace, [\t\v\f\r ].
bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

/// regexp `[\t\v\f\r ]+`.Split(s, -1): the pieces between runs of blanks ("" → {""}).
std::vector<std::string> split_blanks(std::string_view s) {
  std::vector<std::string> out;
  size_t begin = 0;
  size_t i = 0;
  while (i < s.size()) {
    if (!is_blank(s[i])) {
      ++i;
      continue;
    }
    out.emplace_back(s.substr(begin, i - begin));
    while (i < s.size() && is_blank(s[i]))
      ++i;
    begin = i;
  }
  out.emplace_back(s.substr(begin));
  return out;
}

/// Writes a byte the way Go's WriteRune(rune(byte)) does: 0x80-0xFF become two UTF-8 bytes.
void append_byte_as_rune(std::string& out, char c) {
  append_utf8(out, static_cast<unsigned char>(c));
}

struct node_args {
  std::vector<std::string> args;
  bool json = false;
  std::vector<parsed_node> trigger;
};

caf::expected<node_args> parse_json_or(std::string_view rest, bool list) {
  auto parsed = parse_json_array(rest);
  if (parsed.form == json_form::strings) return node_args{std::move(parsed.words), true, {}};
  if (parsed.form == json_form::not_strings)
    return fail("when using JSON array syntax, arrays must be comprised of strings only");
  if (list)
    return node_args{rest.empty() ? std::vector<std::string>{} : split_blanks(rest), false, {}};
  return node_args{{std::string{rest}}, false, {}};
}

caf::expected<node_args> parse_name_values(std::string_view rest, std::string_view keyword,
                                           char escape) {
  auto words = split_raw_words(rest, escape);
  node_args out;
  if (words.empty()) return out;
  if (words[0].find('=') == std::string::npos) {
    // The legacy form "KEY value with blanks": the value is the rest of the line.
    size_t i = 0;
    while (i < rest.size() && !is_blank(rest[i]))
      ++i;
    if (i == rest.size()) return fail(std::string{keyword} + " must have two arguments");
    size_t j = i;
    while (j < rest.size() && is_blank(rest[j]))
      ++j;
    out.args = {std::string{rest.substr(0, i)}, std::string{rest.substr(j)}, ""};
    return out;
  }
  for (const auto& word : words) {
    auto eq = word.find('=');
    if (eq == std::string::npos)
      return fail("Syntax error - can't find = in " + runtime::go_quote(word) +
                  ". Must be of the form: name=value");
    out.args.push_back(word.substr(0, eq));
    out.args.push_back(word.substr(eq + 1));
    out.args.emplace_back("=");
  }
  return out;
}

caf::expected<node_args> parse_health(std::string_view rest) {
  size_t sep = 0;
  while (sep < rest.size() && !is_go_space_byte(rest[sep]))
    ++sep;
  size_t next = sep;
  while (next < rest.size() && is_go_space_byte(rest[next]))
    ++next;
  if (sep == 0) return node_args{};
  node_args out;
  out.args.emplace_back(rest.substr(0, sep));
  auto command = rest.substr(next);
  if (command.empty()) return out;
  auto cmd = parse_json_or(command, false);
  if (!cmd) return cmd.error();
  out.json = cmd->json;
  for (auto& a : cmd->args)
    out.args.push_back(std::move(a));
  return out;
}

caf::expected<node_args> parse_trigger(std::string_view rest, char escape, int depth) {
  if (rest.empty()) return node_args{};
  node_args out;
  if (depth >= max_trigger_depth) {
    // Too deep to matter: keep only the keyword, which is enough to refuse it.
    out.args.push_back(split_command(rest, escape).keyword);
    return out;
  }
  auto child = parse_line(rest, escape, depth + 1);
  if (!child) return child.error();
  out.args.push_back(child->keyword);
  out.args.insert(out.args.end(), child->args.begin(), child->args.end());
  out.trigger.push_back(std::move(*child));
  return out;
}

caf::expected<node_args> parse_arguments(const std::string& lower, std::string_view rest,
                                         char escape, int depth) {
  if (lower == "add" || lower == "copy" || lower == "volume") return parse_json_or(rest, true);
  if (lower == "run" || lower == "cmd" || lower == "entrypoint" || lower == "shell") {
    if (rest.empty()) return node_args{};
    return parse_json_or(rest, false);
  }
  if (lower == "from" || lower == "expose") {
    if (rest.empty()) return node_args{};
    return node_args{split_blanks(rest), false, {}};
  }
  if (lower == "env") return parse_name_values(rest, "ENV", escape);
  if (lower == "label") return parse_name_values(rest, "LABEL", escape);
  if (lower == "arg") return node_args{split_raw_words(rest, escape), false, {}};
  if (lower == "maintainer" || lower == "user" || lower == "workdir" || lower == "stopsignal") {
    if (rest.empty()) return node_args{};
    return node_args{{std::string{rest}}, false, {}};
  }
  if (lower == "healthcheck") return parse_health(rest);
  if (lower == "onbuild") return parse_trigger(rest, escape, depth);
  return node_args{}; // unknown: refused when the instruction is read
}

} // namespace

std::pair<std::string, std::vector<std::string>> extract_builder_flags(std::string_view line,
                                                                       char escape) {
  enum { in_spaces, in_word, in_quote } phase = in_spaces;
  std::vector<std::string> words;
  std::string word;
  char quote = 0;
  bool blank_ok = false;
  for (size_t pos = 0; pos <= line.size(); ++pos) {
    char ch = pos < line.size() ? line[pos] : '\0';
    if (phase == in_spaces) {
      if (pos == line.size()) break;
      if (is_go_space_byte(ch)) continue;
      // Only words starting with "--" are flags.
      if (ch != '-' || pos + 1 == line.size() || line[pos + 1] != '-')
        return {std::string{line.substr(pos)}, words};
      phase = in_word;
    }
    if (pos == line.size()) {
      if (word != "--" && (blank_ok || !word.empty())) words.push_back(word);
      break;
    }
    if (phase == in_word) {
      if (is_go_space_byte(ch)) {
        phase = in_spaces;
        if (word == "--") return {std::string{line.substr(pos)}, words};
        if (blank_ok || !word.empty()) words.push_back(word);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch;
        blank_ok = true;
        phase = in_quote;
        continue;
      }
      if (ch == escape) {
        if (pos + 1 == line.size()) continue;
        ch = line[++pos];
      }
      append_byte_as_rune(word, ch);
      continue;
    }
    // in_quote
    if (ch == quote) {
      phase = in_word;
      continue;
    }
    if (ch == escape) {
      if (pos + 1 == line.size()) {
        phase = in_word;
        continue;
      }
      ch = line[++pos];
    }
    append_byte_as_rune(word, ch);
  }
  return {std::string{}, words};
}

command_split split_command(std::string_view line, char escape) {
  command_split out;
  auto trimmed = trim_go_space(line);
  size_t i = 0;
  while (i < trimmed.size() && !is_blank(trimmed[i]))
    ++i;
  out.keyword = std::string{trimmed.substr(0, i)};
  if (i == trimmed.size()) return out;
  size_t j = i;
  while (j < trimmed.size() && is_blank(trimmed[j]))
    ++j;
  auto [rest, flags] = extract_builder_flags(trimmed.substr(j), escape);
  out.flags = std::move(flags);
  out.rest = std::string{trim_go_space(rest)};
  return out;
}

std::vector<std::string> split_raw_words(std::string_view text, char escape_char) {
  enum { in_spaces, in_word, in_quote } phase = in_spaces;
  auto input = decode_utf8(text);
  char32_t escape = static_cast<unsigned char>(escape_char);
  std::vector<std::string> words;
  std::u32string word;
  char32_t quote = 0;
  bool blank_ok = false;
  for (size_t pos = 0; pos <= input.size(); ++pos) {
    char32_t ch = pos < input.size() ? input[pos] : 0;
    if (phase == in_spaces) {
      if (pos == input.size()) break;
      if (is_go_space(ch)) continue;
      phase = in_word;
    }
    if (pos == input.size()) {
      if (blank_ok || !word.empty()) words.push_back(encode_utf8(word));
      break;
    }
    if (phase == in_word) {
      if (is_go_space(ch)) {
        phase = in_spaces;
        if (blank_ok || !word.empty()) words.push_back(encode_utf8(word));
        word.clear();
        blank_ok = false;
        continue;
      }
      if (ch == U'\'' || ch == U'"') {
        quote = ch;
        blank_ok = true;
        phase = in_quote;
      }
      if (ch == escape) {
        if (pos + 1 == input.size()) continue; // an escape at the very end is dropped
        // Unquoted, the escape and the character after it are both kept, quote or not.
        word += ch;
        ch = input[++pos];
      }
      word += ch;
      continue;
    }
    // in_quote
    if (ch == quote) phase = in_word;
    if (ch == escape && quote != U'\'') {
      if (pos + 1 == input.size()) {
        phase = in_word;
        continue;
      }
      word += ch;
      ch = input[++pos];
    }
    word += ch;
  }
  return words;
}

caf::expected<parsed_node> parse_line(std::string_view line, char escape, int depth) {
  auto split = split_command(line, escape);
  auto parsed = parse_arguments(ascii_lower(split.keyword), split.rest, escape, depth);
  if (!parsed) return parsed.error();
  parsed_node node;
  node.keyword = std::move(split.keyword);
  node.flags = std::move(split.flags);
  node.args = std::move(parsed->args);
  node.json = parsed->json;
  node.original = std::string{line};
  node.trigger = std::move(parsed->trigger);
  return node;
}

bool is_heredoc_word(std::string_view word) {
  // ^(\d*)<<(-?)\s*([^<]*)$ with a non-empty last part that is a single shell word.
  size_t i = 0;
  while (i < word.size() && word[i] >= '0' && word[i] <= '9')
    ++i;
  if (word.substr(i, 2) != "<<") return false;
  i += 2;
  if (i < word.size() && word[i] == '-') ++i;
  while (i < word.size() && (word[i] == ' ' || word[i] == '\t' || word[i] == '\n' ||
                             word[i] == '\f' || word[i] == '\r'))
    ++i;
  auto name = word.substr(i);
  if (name.empty() || name.find('<') != std::string_view::npos) return false;
  shell_lexer lexer{'\\', {.skip_unset_env = true}};
  auto words = lexer.process_words(name, shell_env{});
  return words && words->size() == 1;
}

std::string find_heredoc(const parsed_node& node) {
  const parsed_node* target = &node;
  if (ascii_lower(node.keyword) == "onbuild" && !node.trigger.empty()) target = &node.trigger[0];
  auto keyword = ascii_lower(target->keyword);
  if ((keyword != "run" && keyword != "copy" && keyword != "add") || target->json) return {};
  if (node.original.find("<<") == std::string::npos) return {};
  // buildkit reads the words of the whole line with quotes and escapes kept.
  shell_lexer lexer{'\\', {.raw_quotes = true, .raw_escapes = true, .skip_unset_env = true}};
  auto words = lexer.process_words(node.original, shell_env{});
  if (!words) return {};
  for (const auto& word : *words)
    if (is_heredoc_word(word)) return word;
  return {};
}

} // namespace berth::dockerfile
