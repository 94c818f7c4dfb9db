// Variable substitution and word splitting in Dockerfile arguments: buildkit's shell.Lex
// (ProcessWord / ProcessWords), which the classic builder applies before ADD, COPY, ENV, EXPOSE,
// FROM, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR and ARG (see expansion.hpp for which field).
//
// Supported: $VAR, ${VAR}, ${VAR:-word} ${VAR-word} (default), ${VAR:+word} ${VAR+word}
// (alternative), ${VAR:?word} ${VAR?word} (error), ${VAR#pat} ${VAR##pat} ${VAR%pat} ${VAR%%pat}
// (trim), ${VAR/pat/repl} ${VAR//pat/repl} (replace); single quotes (literal), double quotes
// (only $ expands; the escape character quotes ", $ and itself), and the escape character ('\'
// or '`' from the `# escape=` directive) quoting anything outside quotes. Positional and special
// parameters ($1, $@, $?, ...) are never set. Pure functions; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

namespace berth::dockerfile {

/// The variables a substitution sees. Built from "KEY=VALUE" strings (an image's Env plus the
/// build args in scope), a later definition of a key replaces an earlier one; a string without
/// "=" defines the key with an empty value.
class shell_env {
 public:
  shell_env() = default;

  /// From "KEY=VALUE" strings, in order (Go's shell.EnvsFromSlice).
  [[nodiscard]] static shell_env from_list(const std::vector<std::string>& key_values);

  /// Defines or replaces `key`.
  void set(std::string key, std::string value);

  /// The value of `key`, if it is defined (even as "").
  [[nodiscard]] std::optional<std::string_view> get(std::string_view key) const;

  [[nodiscard]] const std::map<std::string, std::string, std::less<>>& values() const noexcept {
    return values_;
  }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

/// Switches of buildkit's Lex that its own heredoc and parser code use; the builder uses none.
struct lexer_options {
  bool raw_quotes = false;          ///< keep quote characters in the output
  bool raw_escapes = false;         ///< keep escape characters in the output
  bool skip_process_quotes = false; ///< quotes are ordinary characters
  bool skip_unset_env = false;      ///< leave references to unset variables as written
};

/// A lexer for one escape character.
class shell_lexer {
 public:
  explicit shell_lexer(char escape = '\\', lexer_options options = {})
      : escape_(static_cast<unsigned char>(escape)), options_(options) {}

  /// ProcessWord: `word` with quotes removed and variables substituted, spaces kept. Errors
  /// (unterminated quote, bad ${...}, ${VAR:?msg}) read `failed to process "<word>": <why>`.
  [[nodiscard]] caf::expected<std::string> process_word(std::string_view word,
                                                        const shell_env& env) const;

  /// ProcessWords: like process_word, then split into words at unquoted white space (spaces
  /// coming from a substituted value split too). Used for EXPOSE.
  [[nodiscard]] caf::expected<std::vector<std::string>> process_words(std::string_view word,
                                                                      const shell_env& env) const;

  [[nodiscard]] char escape() const noexcept { return static_cast<char>(escape_); }

 private:
  char32_t escape_;
  lexer_options options_;
};

} // namespace berth::dockerfile
