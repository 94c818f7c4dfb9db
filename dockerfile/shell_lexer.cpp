// buildkit's shell.Lex, rune by rune: quotes, escapes and ${...} substitution.
#include "dockerfile/shell_lexer.hpp"

#include <utility>

#include "base/error.hpp"
#include "dockerfile/go_unicode.hpp"
#include "dockerfile/shell_pattern.hpp"
#include "runtime/go_text.hpp"

namespace berth::dockerfile {

namespace {

constexpr char32_t eof = 0xFFFFFFFF;

/// The deepest ${...} inside ${...} accepted (each level recurses).
constexpr int max_nesting = 200;

caf::error fail(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

std::string text(std::u32string_view s) {
  return encode_utf8(s);
}

/// Words being split (Go's wordsStruct). The buffer is shared by every nesting level of one
/// processing, as in buildkit (a nested ${...} restarts it; dockerd has the same quirk).
struct words_builder {
  std::u32string* buf;
  std::vector<std::u32string> words;
  bool in_word = false;

  void add_char(char32_t c) {
    if (is_go_space(c) && in_word) {
      if (!buf->empty()) {
        words.push_back(std::exchange(*buf, {}));
        in_word = false;
      }
    } else if (!is_go_space(c)) {
      add_raw_char(c);
    }
  }
  void add_raw_char(char32_t c) {
    *buf += c;
    in_word = true;
  }
  void add_string(std::u32string_view s) {
    for (auto c : s)
      add_char(c);
  }
  void add_raw_string(std::u32string_view s) {
    *buf += s;
    in_word = true;
  }
  std::vector<std::u32string> take() {
    if (!buf->empty()) {
      words.push_back(std::exchange(*buf, {}));
      in_word = false;
    }
    return std::move(words);
  }
};

struct stop_result {
  std::u32string result;
  std::vector<std::u32string> words;
};

/// One processing of one word (Go's shellWord).
class word_processor {
 public:
  word_processor(std::u32string input, char32_t escape, const lexer_options& options,
                 const shell_env& env)
      : input_(std::move(input)), escape_(escape), options_(options), env_(env),
        raw_escapes_(options.raw_escapes) {
    // text/scanner skips a byte order mark at the very start.
    if (!input_.empty() && input_.front() == 0xFEFF) pos_ = 1;
  }

  caf::expected<stop_result> run() { return process_stop_on(eof, raw_escapes_); }

 private:
  char32_t peek() const { return pos_ < input_.size() ? input_[pos_] : eof; }
  char32_t next() { return pos_ < input_.size() ? input_[pos_++] : eof; }

  caf::expected<stop_result> process_stop_on(char32_t stop, bool raw_escapes);
  caf::expected<std::u32string> single_quote();
  caf::expected<std::u32string> double_quote();
  caf::expected<std::u32string> dollar();
  caf::expected<std::u32string> braced(std::u32string name);
  caf::expected<std::u32string> modifier(const std::u32string& name, char32_t ch,
                                         bool null_is_unset, std::u32string shown);
  caf::expected<std::u32string> replacement(const std::u32string& name);
  std::u32string possible_heredoc();
  std::u32string name();
  std::optional<std::u32string> lookup(const std::u32string& name) const;

  std::u32string input_;
  size_t pos_ = 0;
  char32_t escape_;
  const lexer_options& options_;
  const shell_env& env_;
  bool raw_escapes_;
  std::u32string words_buffer_;
  int depth_ = 0; ///< nested ${...} being read
};

std::optional<std::u32string> word_processor::lookup(const std::u32string& key) const {
  auto value = env_.get(text(key));
  if (!value) return std::nullopt;
  return decode_utf8(*value);
}

caf::expected<stop_result> word_processor::process_stop_on(char32_t stop, bool raw_escapes) {
  std::u32string result;
  words_buffer_.clear();
  words_builder words{&words_buffer_};
  // The outer level's setting comes back when this level returns.
  bool saved = std::exchange(raw_escapes_, raw_escapes);
  struct restore {
    bool& flag;
    bool value;
    ~restore() { flag = value; }
  } restore_flag{raw_escapes_, saved};

  while (peek() != eof) {
    char32_t ch = peek();
    if (stop != eof && ch == stop) {
      next();
      return stop_result{std::move(result), words.take()};
    }
    bool quote = !options_.skip_process_quotes && (ch == U'\'' || ch == U'"');
    if (ch == U'$' || ch == U'<' || quote) {
      caf::expected<std::u32string> piece = std::u32string{};
      if (ch == U'$')
        piece = dollar();
      else if (ch == U'<')
        piece = possible_heredoc();
      else if (ch == U'\'')
        piece = single_quote();
      else
        piece = double_quote();
      if (!piece) return piece.error();
      result += *piece;
      if (ch == U'$')
        words.add_string(*piece);
      else
        words.add_raw_string(*piece);
      continue;
    }
    ch = next();
    if (ch == escape_) {
      if (raw_escapes_) {
        words.add_raw_char(ch);
        result += ch;
      }
      ch = next();
      if (ch == eof) break;
      words.add_raw_char(ch);
    } else {
      words.add_char(ch);
    }
    result += ch;
  }
  if (stop != eof) {
    std::string message = "unexpected end of statement while looking for matching ";
    append_utf8(message, stop);
    return fail(message);
  }
  return stop_result{std::move(result), words.take()};
}

caf::expected<std::u32string> word_processor::single_quote() {
  std::u32string out;
  char32_t ch = next();
  if (options_.raw_quotes) out += ch;
  for (;;) {
    ch = next();
    if (ch == eof)
      return fail("unexpected end of statement while looking for matching single-quote");
    if (ch == U'\'') {
      if (options_.raw_quotes) out += ch;
      return out;
    }
    out += ch;
  }
}

caf::expected<std::u32string> word_processor::double_quote() {
  std::u32string out;
  char32_t ch = next();
  if (options_.raw_quotes) out += ch;
  for (;;) {
    char32_t p = peek();
    if (p == eof)
      return fail("unexpected end of statement while looking for matching double-quote");
    if (p == U'"') {
      ch = next();
      if (options_.raw_quotes) out += ch;
      return out;
    }
    if (p == U'$') {
      auto value = dollar();
      if (!value) return value.error();
      out += *value;
      continue;
    }
    ch = next();
    if (ch == escape_) {
      if (raw_escapes_) out += ch;
      char32_t after = peek();
      if (after == eof) continue; // the loop reports the missing quote
      // Only ", $ and the escape character itself can be escaped; other escapes stay.
      if (after == U'"' || after == U'$' || after == escape_) ch = next();
    }
    out += ch;
  }
}

std::u32string word_processor::name() {
  std::u32string out;
  while (peek() != eof) {
    char32_t ch = peek();
    if (out.empty() && is_go_digit(ch)) {
      while (peek() != eof && is_go_digit(peek()))
        out += next();
      return out;
    }
    if (out.empty()) {
      switch (ch) {
      case U'@':
      case U'*':
      case U'#':
      case U'?':
      case U'-':
      case U'$':
      case U'!':
      case U'0':
        return std::u32string(1, next());
      default:
        break;
      }
    }
    if (!is_go_letter(ch) && !is_go_digit(ch) && ch != U'_') break;
    out += next();
  }
  return out;
}

caf::expected<std::u32string> word_processor::dollar() {
  next(); // '$'
  if (peek() != U'{') {
    auto n = name();
    if (n.empty()) return std::u32string{U"$"};
    auto value = lookup(n);
    if (!value && options_.skip_unset_env) return U"$" + n;
    return value.value_or(std::u32string{});
  }
  next(); // '{'
  // Go's stacks grow; ours do not: refuse absurd nesting instead of overflowing.
  if (depth_ >= max_nesting) return fail("syntax error: substitutions nested too deeply");
  ++depth_;
  struct leave {
    int& depth;
    ~leave() { --depth; }
  } leave_level{depth_};
  switch (peek()) {
  case eof:
    return fail("syntax error: missing '}'");
  case U'{':
  case U'}':
  case U':':
    return fail("syntax error: bad substitution");
  default:
    break;
  }
  return braced(name());
}

caf::expected<std::u32string> word_processor::braced(std::u32string n) {
  char32_t ch = next();
  // Go prints a missing character (EOF) as U+FFFD.
  auto shown_char = [](char32_t c) { return c == eof ? replacement_char : c; };
  std::u32string shown(1, shown_char(ch));
  if (ch == U'}') {
    auto value = lookup(n);
    if (!value && options_.skip_unset_env) return U"${" + n + U"}";
    return value.value_or(std::u32string{});
  }
  if (ch == U':') {
    ch = next();
    shown += shown_char(ch);
    return modifier(n, ch, true, shown);
  }
  if (ch == U'+' || ch == U'-' || ch == U'?' || ch == U'#' || ch == U'%')
    return modifier(n, ch, false, shown);
  if (ch == U'/') return replacement(n);
  return fail("unsupported modifier (" + text(shown) + ") in substitution");
}

caf::expected<std::u32string> word_processor::modifier(const std::u32string& n, char32_t ch,
                                                       bool null_is_unset, std::u32string shown) {
  bool trims = ch == U'#' || ch == U'%';
  if (null_is_unset && trims)
    return fail("unsupported modifier (" + text(shown) + ") in substitution");
  auto word = process_stop_on(U'}', trims);
  if (!word) {
    if (peek() == eof) return fail("syntax error: missing '}'");
    return word.error();
  }
  auto& w = word->result;
  auto value = lookup(n);
  bool set = value.has_value();
  if (options_.skip_unset_env && !set) return U"${" + n + shown + w + U"}";
  auto v = value.value_or(std::u32string{});
  switch (ch) {
  case U'-':
    return !set || (null_is_unset && v.empty()) ? w : v;
  case U'+':
    return !set || (null_is_unset && v.empty()) ? std::u32string{} : w;
  case U'?':
    if (!set) return fail(text(n) + ": " + (w.empty() ? "is not allowed to be unset" : text(w)));
    if (null_is_unset && v.empty())
      return fail(text(n) + ": " + (w.empty() ? "is not allowed to be empty" : text(w)));
    return v;
  case U'%':
  case U'#': {
    bool greedy = !w.empty() && w.front() == ch;
    std::u32string_view pattern = w;
    if (greedy) pattern.remove_prefix(1);
    return ch == U'%' ? trim_suffix_pattern(pattern, v, greedy)
                      : trim_prefix_pattern(pattern, v, greedy);
  }
  default:
    return fail("unsupported modifier (" + text(shown) + ") in substitution");
  }
}

caf::expected<std::u32string> word_processor::replacement(const std::u32string& n) {
  bool all = peek() == U'/';
  if (all) next();
  auto pattern = process_stop_on(U'/', true);
  if (!pattern) {
    if (peek() == eof) return fail("syntax error: missing '/' in ${}");
    return pattern.error();
  }
  auto with = process_stop_on(U'}', true);
  if (!with) {
    if (peek() == eof) return fail("syntax error: missing '}'");
    return with.error();
  }
  auto value = lookup(n);
  if (options_.skip_unset_env && !value)
    return U"${" + n + U"/" + pattern->result + U"/" + with->result + U"}";
  return replace_pattern(pattern->result, with->result, value.value_or(std::u32string{}), all);
}

std::u32string word_processor::possible_heredoc() {
  next(); // '<'
  if (peek() != U'<') return U"<";
  next();
  std::u32string out = U"<<";
  while (peek() == U'\t' || peek() == U'\r' || peek() == U' ')
    out += next();
  return out;
}

caf::expected<stop_result> process(std::string_view word, char32_t escape,
                                   const lexer_options& options, const shell_env& env) {
  word_processor processor{decode_utf8(word), escape, options, env};
  auto result = processor.run();
  if (!result)
    return fail("failed to process " + runtime::go_quote(word) + ": " +
                error_message(result.error()));
  return result;
}

} // namespace

shell_env shell_env::from_list(const std::vector<std::string>& key_values) {
  shell_env env;
  for (const auto& kv : key_values) {
    auto eq = kv.find('=');
    if (eq == std::string::npos)
      env.set(kv, "");
    else
      env.set(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

void shell_env::set(std::string key, std::string value) {
  values_.insert_or_assign(std::move(key), std::move(value));
}

std::optional<std::string_view> shell_env::get(std::string_view key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  return std::string_view{it->second};
}

caf::expected<std::string> shell_lexer::process_word(std::string_view word,
                                                     const shell_env& env) const {
  auto result = process(word, escape_, options_, env);
  if (!result) return result.error();
  return encode_utf8(result->result);
}

caf::expected<std::vector<std::string>> shell_lexer::process_words(std::string_view word,
                                                                   const shell_env& env) const {
  auto result = process(word, escape_, options_, env);
  if (!result) return result.error();
  std::vector<std::string> out;
  out.reserve(result->words.size());
  for (const auto& w : result->words)
    out.push_back(encode_utf8(w));
  return out;
}

} // namespace berth::dockerfile
