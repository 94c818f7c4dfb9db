// Tests dockerfile/shell_lexer and dockerfile/shell_pattern: Docker's variable substitution,
// quoting and word splitting (the semantics of buildkit's envVarTest and wordsTest tables).
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "dockerfile/shell_lexer.hpp"

using namespace berth;
using namespace berth::dockerfile;

namespace {

shell_env test_env() {
  return shell_env::from_list({"PWD=/home", "SHELL=bash", "KOREAN=한국어", "NULL=", "SPACED=a  b",
                               "LEADING=  x y", "FILE=archive.tar.gz", "PATHY=/usr/local/bin"});
}

struct word_case {
  const char* input;
  const char* expected; ///< nullptr: an error
};

void expect_word(const shell_lexer& lexer, const word_case& c) {
  auto out = lexer.process_word(c.input, test_env());
  if (c.expected == nullptr) {
    EXPECT_FALSE(out) << c.input << " gave " << (out ? *out : "");
  } else {
    ASSERT_TRUE(out) << c.input << ": " << error_message(out.error());
    EXPECT_EQ(*out, c.expected) << c.input;
  }
}

} // namespace

TEST(shell_lexer, quotes_and_escapes) {
  shell_lexer lexer;
  for (auto c : std::initializer_list<word_case>{
           {"plain", "plain"},
           {"it'quo'ted", "itquoted"},
           {"un'terminated", nullptr},
           {R"(esc\'aped)", "esc'aped"},
           {R"(esc\\'aped)", nullptr},
           {R"(a\tb)", "atb"},
           {R"("a\tb")", R"(a\tb)"},
           {R"("a\\tb")", R"(a\tb)"},
           {R"('a\tb')", R"(a\tb)"},
           {R"(trailing\)", "trailing"},
           {R"(trailing\\)", R"(trailing\)"},
           {R"("open)", nullptr},
           {R"("open\")", nullptr},
           {R"("it's")", "it's"},
           {R"('single\')", R"(single\)"},
           {R"('a\\b')", R"(a\\b)"},
           {R"("''")", "''"},
           {R"('"double"')", R"("double")"},
           {"안'녕'하세요", "안녕하세요"},
           {R"(안녕\'하세요)", "안녕'하세요"},
       })
    expect_word(lexer, c);
}

TEST(shell_lexer, variables) {
  shell_lexer lexer;
  for (auto c : std::initializer_list<word_case>{
           {"$PWD", "/home"},
           {"he$PWD", "he/home"},
           {"he${PWD}xx", "he/homexx"},
           {"he$pwd.", "he."}, // case-sensitive on Linux
           {"$.", "$."},
           {"he$.x", "he$.x"},
           {"$", "$"},
           {R"(he\$PWD)", "he$PWD"},
           {R"(he\\$PWD)", R"(he\/home)"},
           {R"("he\$PWD")", "he$PWD"},
           {R"("he\\$PWD")", R"(he\/home)"},
           {R"(\${})", "${}"},
           {R"(he\${}xx)", "he${}xx"},
           {"${}", nullptr},
           {"he${}xx", nullptr},
           {"he${.}", nullptr},
           {"he${unset}xx", "hexx"},
           {"he${PWD", nullptr},
           {"${{aaa}", nullptr},
           {"${aaa}}", "}"},
           {"${:}", nullptr},
           {"'$PWD'", "$PWD"},
           {R"('\$PWD')", R"(\$PWD)"},
           {R"("he'$PWD'")", "he'/home'"},
           {"$KOREAN", "한국어"},
           {"안녕$KOREAN", "안녕한국어"},
           {"$1x", "x"},
           {"$999aaa", "aaa"},
           {"${001:-bbb}aaa", "bbbaaa"},
           {"$@@@", "@@"},
           {"${@:-bbb}", "bbb"},
           {"$$", ""},
           {"${#:+bbb}", ""},
           {"${?:-bbb}", "bbb"},
       })
    expect_word(lexer, c);
}

TEST(shell_lexer, default_alternative_and_error_forms) {
  shell_lexer lexer;
  for (auto c : std::initializer_list<word_case>{
           {"${XXX:-000}", "000"},
           {"${PWD:-000}", "/home"},
           {"${NULL:-000}", "000"},
           {"${NULL-000}", ""},
           {"${XXX-000}", "000"},
           {"${XXX:-$PWD}", "/home"},
           {"${XXX:-${PWD:-yyy}}", "/home"},
           {"${XXX:-${YYY:-yyy}}", "yyy"},
           {"${XXX:-a b}", "a b"},
           {"${XXX:-bbb {foo}", "bbb {foo"},
           {"${XXX:-bbb ${foo}", nullptr},
           {"${XXX:+000}", ""},
           {"${PWD:+000}", "000"},
           {"${NULL:+000}", ""},
           {"${NULL+000}", "000"},
           {"${PWD:+${SHELL}}", "bash"},
           {"${PWD:+${PWD}:}", "/home:"},
           {R"(${XXX:-\$PWD:})", "$PWD:"},
           {R"(${XXX:-\${PWD}z})", "${PWDz}"},
           {"${PWD?}", "/home"},
           {"${PWD:?}", "/home"},
           {"${NULL?}", ""},
           {"${NULL:?}", nullptr},
           {"${XXX?}", nullptr},
           {"${XXX:YYY}", nullptr},
           {"${PWD:=000}", nullptr},
       })
    expect_word(lexer, c);
}

TEST(shell_lexer, error_messages_match_dockerd) {
  shell_lexer lexer;
  auto message = [&](const char* word) {
    auto out = lexer.process_word(word, test_env());
    return out ? std::string{"<no error>"} : error_message(out.error());
  };
  EXPECT_EQ(message("${XXX:?must be set}"),
            R"(failed to process "${XXX:?must be set}": XXX: must be set)");
  EXPECT_EQ(message("${XXX?}"), R"(failed to process "${XXX?}": XXX: is not allowed to be unset)");
  EXPECT_EQ(message("${NULL:?}"),
            R"(failed to process "${NULL:?}": NULL: is not allowed to be empty)");
  EXPECT_EQ(message("${}"), R"(failed to process "${}": syntax error: bad substitution)");
  EXPECT_EQ(message("${PWD"),
            "failed to process \"${PWD\": unsupported modifier (\xEF\xBF\xBD) in substitution");
  EXPECT_EQ(message("${PWD:-x"), R"(failed to process "${PWD:-x": syntax error: missing '}')");
  EXPECT_EQ(message("${PWD:=x}"),
            R"(failed to process "${PWD:=x}": unsupported modifier (:=) in substitution)");
  EXPECT_EQ(message("${PWD:#x}"),
            R"(failed to process "${PWD:#x}": unsupported modifier (:#) in substitution)");
  EXPECT_EQ(
      message("'open"),
      R"(failed to process "'open": unexpected end of statement while looking for matching single-quote)");
  EXPECT_EQ(
      message("\"open"),
      R"(failed to process "\"open": unexpected end of statement while looking for matching double-quote)");
  EXPECT_EQ(message("${"), R"(failed to process "${": syntax error: missing '}')");
}

TEST(shell_lexer, trims_and_replacements) {
  shell_lexer lexer;
  for (auto c : std::initializer_list<word_case>{
           {"${FILE%.*}", "archive.tar"},
           {"${FILE%%.*}", "archive"},
           {"${FILE#*.}", "tar.gz"},
           {"${FILE##*.}", "gz"},
           {"${FILE%.zip}", "archive.tar.gz"},
           {"${PATHY#/usr}", "/local/bin"},
           {"${PATHY##*/}", "bin"},
           {"${PATHY%/*}", "/usr/local"},
           {R"(${FILE%\*})", "archive.tar.gz"},
           {"${FILE%?z}", "archive.tar."},
           {"${XXX%x}", ""},
           {"${FILE/tar/zip}", "archive.zip.gz"},
           {"${FILE/a/_}", "_rchive.tar.gz"},
           {"${FILE//a/_}", "_rchive.t_r.gz"},
           {"${FILE//./}", "archivetargz"},
           {"${PATHY//\\//:}", ":usr:local:bin"},
           {"${FILE/*./}", "gz"},
           {"${FILE/nothing/x}", "archive.tar.gz"},
           {"${FILE/a", nullptr},
           {"${FILE/a/b", nullptr},
           {R"(${FILE%\x})", nullptr},
       })
    expect_word(lexer, c);
  auto bad = lexer.process_word(R"(${FILE%\x})", test_env());
  ASSERT_FALSE(bad);
  EXPECT_EQ(
      error_message(bad.error()),
      R"(failed to process "${FILE%\\x}": invalid pattern (\x) in substitution: invalid escape '\x')");
}

TEST(shell_lexer, words_split_after_substitution) {
  shell_lexer lexer;
  auto env =
      shell_env::from_list({"hi=hi", "space=abc  def", "leading=  ab c", "trailing=ab c   "});
  auto words = [&](const char* input) {
    auto out = lexer.process_words(input, env);
    EXPECT_TRUE(out) << input;
    return out ? *out : std::vector<std::string>{};
  };
  using v = std::vector<std::string>;
  EXPECT_EQ(words("hello"), v{"hello"});
  EXPECT_EQ(words("hello${hi}bye"), v{"hellohibye"});
  EXPECT_EQ(words("hello${space}bye"), (v{"helloabc", "defbye"}));
  EXPECT_EQ(words("hello\"${space}\"bye"), v{"helloabc  defbye"});
  EXPECT_EQ(words("hello \"${space}\"bye"), (v{"hello", "abc  defbye"}));
  EXPECT_EQ(words("hello${leading}def"), (v{"hello", "ab", "cdef"}));
  EXPECT_EQ(words("hello\"${leading}\" def"), (v{"hello  ab c", "def"}));
  EXPECT_EQ(words("hello${trailing}d"), (v{"helloab", "c", "d"}));
  EXPECT_EQ(words("hel\"lo${trailing}\""), v{"helloab c   "});
  EXPECT_EQ(words("hello\\ there"), v{"hello there"});
  EXPECT_EQ(words("hello\\\" there"), (v{"hello\"", "there"}));
  EXPECT_EQ(words("hello'$there'"), v{"hello$there"});
  EXPECT_EQ(words("80 443/udp"), (v{"80", "443/udp"}));
  EXPECT_FALSE(lexer.process_words("hello\" there", env));
}

TEST(shell_lexer, backtick_escape) {
  shell_lexer lexer{'`'};
  auto env = test_env();
  EXPECT_EQ(*lexer.process_word(R"(C:\path\$PWD)", env), R"(C:\path\/home)");
  EXPECT_EQ(*lexer.process_word("`$PWD", env), "$PWD");
  EXPECT_EQ(*lexer.process_word("\"a`\"b\"", env), "a\"b");
}

TEST(shell_lexer, later_definitions_win) {
  auto env = shell_env::from_list({"A=1", "B", "A=2"});
  EXPECT_EQ(env.get("A"), "2");
  EXPECT_EQ(env.get("B"), "");
  EXPECT_FALSE(env.get("C"));
}

TEST(shell_lexer, raw_options_keep_quotes_and_unset_references) {
  shell_lexer raw{'\\', {.raw_quotes = true, .raw_escapes = true, .skip_unset_env = true}};
  auto out = raw.process_word(R"('a' "b" \c $UNSET ${UNSET:-x} $PWD)", test_env());
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, R"('a' "b" \c $UNSET ${UNSET:-x} /home)");
}

TEST(shell_lexer, nested_substitution_restarts_the_word_as_buildkit_does) {
  // buildkit shares one word buffer between nesting levels: text before a ${x:-...} in the same
  // word is lost from ProcessWords (dockerd's EXPOSE shows the same), not from ProcessWord.
  shell_lexer lexer;
  auto words = lexer.process_words("a${X:-b}c d", shell_env{});
  ASSERT_TRUE(words);
  EXPECT_EQ(*words, (std::vector<std::string>{"bc", "d"}));
  EXPECT_EQ(*lexer.process_word("a${X:-b}c d", shell_env{}), "abc d");
}

TEST(shell_lexer, nesting_is_bounded) {
  std::string deep;
  for (int i = 0; i < 100; ++i)
    deep += "${A:-";
  deep += "x" + std::string(100, '}');
  EXPECT_EQ(*shell_lexer{}.process_word(deep, shell_env{}), "x");
  std::string too_deep;
  for (int i = 0; i < 50000; ++i)
    too_deep += "${A:-";
  auto out = shell_lexer{}.process_word(too_deep, shell_env{});
  ASSERT_FALSE(out);
  EXPECT_NE(error_message(out.error()).find("nested too deeply"), std::string::npos);
}

TEST(shell_lexer, pattern_escapes_and_shortest_longest_matches) {
  shell_lexer lexer;
  auto with = [&](const char* value, const char* word) {
    auto env = shell_env::from_list({std::string{"V="} + value, "EMPTY="});
    auto out = lexer.process_word(word, env);
    return out ? *out : "<error: " + error_message(out.error()) + ">";
  };
  EXPECT_EQ(with(R"(()[]{}^$.*?|\x)", R"(${V#()[]{\}^$.\*\?|\\})"), "x");
  EXPECT_EQ(with("xx**", R"(${V%%\**})"), "xx");
  EXPECT_EQ(with("xxyy", "${V#*x*y}"), "y");
  EXPECT_EQ(with("xxyy", "${V#*}"), "xxyy");
  EXPECT_EQ(with("xxyy", "${V##*x}"), "yy");
  EXPECT_EQ(with("xxyy", "${V#$EMPTY}"), "xxyy");
  EXPECT_EQ(with("???y", R"(${V#?\?})"), "?y");
  EXPECT_EQ(with("a***yy*", R"(${V%%\**\*})"), "a");
  EXPECT_EQ(with("xxyy", "${ABC:-.}${V%x}${ABC:-.}"), ".xxyy.");
  EXPECT_EQ(with("a\nb", "${V#*}"), "a\nb");
  EXPECT_EQ(with("a\nb", "${V##*}"), "\nb");            // like Go's `.`, `*` stops at a newline
  EXPECT_EQ(with("aaa", "${V//a/$$}"), "");             // "$$" is a (never set) special parameter
  EXPECT_EQ(with("aaa", R"(${V//a/\$})"), R"(\$\$\$)"); // the escape stays in a replacement
  EXPECT_EQ(with("abc", "${V//b/[$0]}"), "a[]c");
}
