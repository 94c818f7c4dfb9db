// Tests dockerfile/parser and dockerfile/line_parsers: directives, comments, continuations,
// flags, argument splitting, heredoc refusal and the parser's error messages.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "dockerfile/instructions.hpp"
#include "dockerfile/line_parsers.hpp"
#include "dockerfile/parser.hpp"

using namespace berth;
using namespace berth::dockerfile;
using strings = std::vector<std::string>;

namespace {

parse_result parse_ok(std::string_view text) {
  auto r = parse_nodes(text);
  EXPECT_TRUE(r) << (r ? "" : error_message(r.error()));
  return r ? *r : parse_result{};
}

std::string parse_error(std::string_view text) {
  auto r = parse_dockerfile(text);
  EXPECT_FALSE(r) << text;
  return r ? std::string{} : error_message(r.error());
}

} // namespace

TEST(parser, lines_comments_and_blank_lines) {
  auto r = parse_ok("# a comment\n"
                    "\n"
                    "FROM busybox AS build\n"
                    "   # indented comment\n"
                    "RUN echo hi\n"
                    "\t\n"
                    "cmd [\"sh\", \"-c\", \"echo done\"]\n");
  ASSERT_EQ(r.nodes.size(), 3u);
  EXPECT_EQ(r.nodes[0].keyword, "FROM");
  EXPECT_EQ(r.nodes[0].args, (strings{"busybox", "AS", "build"}));
  EXPECT_EQ(r.nodes[0].start_line, 3);
  EXPECT_EQ(r.nodes[1].args, strings{"echo hi"});
  EXPECT_FALSE(r.nodes[1].json);
  EXPECT_EQ(r.nodes[1].start_line, 5);
  EXPECT_EQ(r.nodes[2].keyword, "cmd");
  EXPECT_EQ(r.nodes[2].args, (strings{"sh", "-c", "echo done"}));
  EXPECT_TRUE(r.nodes[2].json);
  EXPECT_EQ(r.nodes[2].start_line, 7);
  EXPECT_EQ(r.escape, '\\');
  EXPECT_TRUE(r.warnings.empty());
}

TEST(parser, continuations_join_lines_and_skip_comments) {
  auto r = parse_ok("FROM scratch\n"
                    "RUN apt-get update && \\\n"
                    "    # a comment inside\n"
                    "    apt-get install -y \\\n"
                    "      curl\n"
                    "ENV A=1\n");
  ASSERT_EQ(r.nodes.size(), 3u);
  EXPECT_EQ(r.nodes[1].original, "RUN apt-get update &&     apt-get install -y       curl");
  EXPECT_EQ(r.nodes[1].start_line, 2);
  EXPECT_EQ(r.nodes[1].end_line, 5);
  EXPECT_EQ(r.nodes[2].start_line, 6);
  EXPECT_TRUE(r.warnings.empty());
}

TEST(parser, empty_continuation_lines_warn) {
  auto r = parse_ok("FROM scratch\nRUN a \\\n\n  b\n");
  ASSERT_EQ(r.nodes.size(), 2u);
  EXPECT_EQ(r.nodes[1].original, "RUN a   b");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], "Empty continuation line found in: RUN a   b");
  EXPECT_EQ(
      warning_lines(r.warnings),
      (strings{"[WARNING]: Empty continuation line found in: RUN a   b\n",
               "[WARNING]: Empty continuation lines will become errors in a future release.\n"}));
}

TEST(parser, continuation_edge_cases) {
  // An escaped escape character ends the line; trailing blanks after the escape still continue.
  auto r = parse_ok("FROM scratch\nRUN echo \\\\\nRUN echo a \\  \t\nb\nRUN x \\");
  ASSERT_EQ(r.nodes.size(), 4u);
  EXPECT_EQ(r.nodes[1].original, "RUN echo \\\\");
  EXPECT_EQ(r.nodes[2].original, "RUN echo a b");
  EXPECT_EQ(r.nodes[3].original, "RUN x ");
  EXPECT_EQ(r.nodes[3].args, strings{"x"});
  // A line holding only the escape character continues with nothing.
  auto lone = parse_ok("FROM scratch\n\\\nRUN y\n");
  ASSERT_EQ(lone.nodes.size(), 2u);
  EXPECT_EQ(lone.nodes[1].original, "RUN y");
  EXPECT_EQ(lone.nodes[1].start_line, 2);
  EXPECT_EQ(lone.nodes[1].end_line, 3);
}

TEST(parser, crlf_and_byte_order_mark) {
  auto r = parse_ok("\xEF\xBB\xBF# escape=`\r\nFROM scratch\r\nRUN a `\r\n b\r\n");
  EXPECT_EQ(r.escape, '`');
  ASSERT_EQ(r.nodes.size(), 2u);
  EXPECT_EQ(r.nodes[1].original, "RUN a  b");
}

TEST(parser, directives) {
  auto r =
      parse_ok("# syntax=docker/dockerfile:1\n#  ESCAPE = `\n# check=skip=all\nFROM scratch\n");
  EXPECT_EQ(r.syntax, "docker/dockerfile:1");
  EXPECT_EQ(r.check, "skip=all");
  EXPECT_EQ(r.escape, '`');

  // Only at the very top: after a comment, a blank line or an instruction they are comments.
  EXPECT_EQ(parse_ok("# hello\n# escape=`\nFROM scratch\n").escape, '\\');
  EXPECT_EQ(parse_ok("\n# escape=`\nFROM scratch\n").escape, '\\');
  EXPECT_EQ(parse_ok("FROM scratch\n# escape=`\n").escape, '\\');
  EXPECT_EQ(parse_ok("# unknown=x\n# escape=`\nFROM scratch\n").escape, '\\');
  EXPECT_EQ(parse_ok("   # escape=`\nFROM scratch\n").escape, '`');

  EXPECT_EQ(parse_error("# escape=`\n# escape=\\\nFROM scratch\n"),
            "failed to parse Dockerfile: only one escape parser directive can be used");
  EXPECT_EQ(parse_error("# escape=x\nFROM scratch\n"),
            "failed to parse Dockerfile: invalid escape token 'x' does not match ` or \\");
}

TEST(parser, backtick_escape_keeps_backslashes) {
  auto r = parse_ok("# escape=`\nFROM scratch\nCOPY C:\\src\\ C:\\dst\\\nRUN dir `\n  /s\n");
  ASSERT_EQ(r.nodes.size(), 3u);
  EXPECT_EQ(r.nodes[1].args, (strings{"C:\\src\\", "C:\\dst\\"}));
  EXPECT_EQ(r.nodes[2].original, "RUN dir   /s");
}

TEST(parser, flags_are_split_from_arguments) {
  auto r = parse_ok("FROM scratch\nCOPY --from=build --chown=\"a b\" --link x /y\n"
                    "COPY -- --notaflag /z\nRUN --mount=type=cache,target=/c make\n");
  EXPECT_EQ(r.nodes[1].flags, (strings{"--from=build", "--chown=a b", "--link"}));
  EXPECT_EQ(r.nodes[1].args, (strings{"x", "/y"}));
  EXPECT_TRUE(r.nodes[2].flags.empty());
  EXPECT_EQ(r.nodes[2].args, (strings{"--notaflag", "/z"}));
  EXPECT_EQ(r.nodes[3].flags, strings{"--mount=type=cache,target=/c"});
  EXPECT_EQ(r.nodes[3].args, strings{"make"});
}

TEST(parser, extract_builder_flags_rules) {
  auto [rest, flags] = extract_builder_flags(R"(--a=1 --b='x y' --c=\"q --d rest of line)", '\\');
  EXPECT_EQ(flags, (strings{"--a=1", "--b=x y", "--c=\"q", "--d"}));
  EXPECT_EQ(rest, "rest of line");
  // Bytes above 0x7F come out as Latin-1 code points, as Go's byte loop writes them.
  auto latin = extract_builder_flags("--chown=\xC3\xA9 x", '\\');
  EXPECT_EQ(latin.second, strings{"--chown=\xC3\x83\xC2\xA9"});
}

TEST(parser, raw_words_keep_quotes_and_escapes) {
  EXPECT_EQ(split_raw_words(R"(a="b c" d='e f' g\ h "" i)", '\\'),
            (strings{R"(a="b c")", "d='e f'", R"(g\ h)", R"("")", "i"}));
  EXPECT_EQ(split_raw_words(R"(x\)", '\\'), strings{"x"});
  EXPECT_EQ(split_raw_words(R"('a\' b)", '\\'), (strings{R"('a\')", "b"}));
}

TEST(parser, per_keyword_argument_rules) {
  auto r = parse_ok("FROM  a   b\tc\n"
                    "ENV A=1 B=\"two words\" C=\n"
                    "ENV LEGACY value with  spaces\n"
                    "LABEL \"com.x\"=y\n"
                    "ARG one two=2 three=\"3 3\"\n"
                    "VOLUME /a /b\n"
                    "VOLUME [\"/c\", \"/d\"]\n"
                    "USER  user name  \n"
                    "HEALTHCHECK --interval=5s CMD curl -f http://x/\n"
                    "HEALTHCHECK CMD [\"curl\", \"x\"]\n"
                    "ONBUILD RUN echo hi\n"
                    "ONBUILD\n"
                    "EXPOSE 80 443\n"
                    "BOGUS whatever here\n");
  auto& n = r.nodes;
  ASSERT_EQ(n.size(), 14u);
  EXPECT_EQ(n[0].args, (strings{"a", "b", "c"}));
  EXPECT_EQ(n[1].args, (strings{"A", "1", "=", "B", "\"two words\"", "=", "C", "", "="}));
  EXPECT_EQ(n[2].args, (strings{"LEGACY", "value with  spaces", ""}));
  EXPECT_EQ(n[3].args, (strings{"\"com.x\"", "y", "="}));
  EXPECT_EQ(n[4].args, (strings{"one", "two=2", "three=\"3 3\""}));
  EXPECT_EQ(n[5].args, (strings{"/a", "/b"}));
  EXPECT_FALSE(n[5].json);
  EXPECT_EQ(n[6].args, (strings{"/c", "/d"}));
  EXPECT_TRUE(n[6].json);
  EXPECT_EQ(n[7].args, strings{"user name"});
  EXPECT_EQ(n[8].flags, strings{"--interval=5s"});
  EXPECT_EQ(n[8].args, (strings{"CMD", "curl -f http://x/"}));
  EXPECT_EQ(n[9].args, (strings{"CMD", "curl", "x"}));
  EXPECT_TRUE(n[9].json);
  EXPECT_EQ(n[10].args, (strings{"RUN", "echo hi"}));
  ASSERT_EQ(n[10].trigger.size(), 1u);
  EXPECT_EQ(n[10].trigger[0].keyword, "RUN");
  EXPECT_TRUE(n[11].args.empty());
  EXPECT_EQ(n[12].args, (strings{"80", "443"}));
  EXPECT_TRUE(n[13].args.empty());
}

TEST(parser, json_and_shell_forms) {
  auto r = parse_ok("RUN [\"echo\", \"a\"]\nRUN ['single', 'quotes']\nRUN [\"unterminated\"\n"
                    "CMD []\nENTRYPOINT [\"a\"] trailing\nCMD [\"\\u00e9\"]\n");
  EXPECT_TRUE(r.nodes[0].json);
  EXPECT_FALSE(r.nodes[1].json);
  EXPECT_EQ(r.nodes[1].args, strings{"['single', 'quotes']"});
  EXPECT_FALSE(r.nodes[2].json);
  EXPECT_TRUE(r.nodes[3].json);
  EXPECT_TRUE(r.nodes[3].args.empty());
  EXPECT_FALSE(r.nodes[4].json);
  EXPECT_EQ(r.nodes[5].args, strings{"\xC3\xA9"});
  EXPECT_EQ(parse_error("FROM scratch\nCMD [\"a\", 1]\n"),
            "failed to parse Dockerfile: when using JSON array syntax, arrays must be comprised of "
            "strings only");
  EXPECT_EQ(parse_error("FROM scratch\nCOPY [[\"a\"], \"b\"]\n"),
            "failed to parse Dockerfile: when using JSON array syntax, arrays must be comprised of "
            "strings only");
}

TEST(parser, parser_level_errors) {
  EXPECT_EQ(parse_error(""), "the Dockerfile (Dockerfile) cannot be empty");
  EXPECT_EQ(error_message(parse_dockerfile("", "build/Dockerfile.dev").error()),
            "the Dockerfile (build/Dockerfile.dev) cannot be empty");
  EXPECT_EQ(parse_error("\n"), "failed to parse Dockerfile: file with no instructions");
  EXPECT_EQ(parse_error("# only\n   # comments\n\n"),
            "failed to parse Dockerfile: file with no instructions");
  EXPECT_EQ(parse_error("FROM scratch\nENV onlykey\n"),
            "failed to parse Dockerfile: ENV must have two arguments");
  EXPECT_EQ(
      parse_error("FROM scratch\nLABEL a=b c\n"),
      "failed to parse Dockerfile: Syntax error - can't find = in \"c\". Must be of the form: "
      "name=value");
  EXPECT_EQ(parse_error("FROM scratch\nRUN " + std::string(70000, 'x') + "\n"),
            "failed to parse Dockerfile: dockerfile line greater than max allowed size of 65535");
  EXPECT_EQ(parse_error(std::string(70000, '#') + "\nFROM scratch\n"),
            "failed to parse Dockerfile: file with no instructions");
}

TEST(parser, heredocs_are_refused_by_the_legacy_builder) {
  for (auto text :
       {"FROM scratch\nRUN <<EOF\necho hi\nEOF\n", "FROM scratch\nRUN cat << EOF > /x\nEOF\n",
        "FROM scratch\nCOPY <<-\"EOT\" /etc/x\nEOT\n", "FROM scratch\nONBUILD RUN 3<<X cat\nX\n"}) {
    auto message = parse_error(text);
    EXPECT_TRUE(message.starts_with("failed to parse Dockerfile: line 2: heredocs (")) << message;
    EXPECT_NE(message.find("not supported by the legacy builder"), std::string::npos) << message;
  }
  // Not heredocs: JSON form, here-strings, quoted text, other instructions.
  auto r = parse_ok("RUN [\"cat\", \"<<EOF\"]\nRUN cat <<< word\nRUN echo \"<<EOF\"\n"
                    "LABEL x=<<EOF\nRUN echo a<<b\n");
  EXPECT_EQ(r.nodes.size(), 5u);
  EXPECT_TRUE(is_heredoc_word("<<EOF"));
  EXPECT_TRUE(is_heredoc_word("<<-'EOF'"));
  EXPECT_TRUE(is_heredoc_word("2<<  \"END\""));
  EXPECT_FALSE(is_heredoc_word("<<"));
  EXPECT_FALSE(is_heredoc_word("<<a b"));
  EXPECT_FALSE(is_heredoc_word("x<<EOF"));
}
