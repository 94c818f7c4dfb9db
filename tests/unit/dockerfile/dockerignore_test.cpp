// Tests dockerfile/dockerignore, dockerfile/path_regex and dockerfile/go_path_match: reading
// .dockerignore, patternmatcher's matching rules and Go's filepath.Match.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "dockerfile/dockerignore.hpp"
#include "dockerfile/go_path_match.hpp"
#include "dockerfile/go_unicode.hpp"

using namespace berth;
using namespace berth::dockerfile;
using strings = std::vector<std::string>;

namespace {

bool excluded(const strings& patterns, std::string_view path) {
  auto matcher = ignore_matcher::compile(patterns);
  EXPECT_TRUE(matcher) << (matcher ? "" : error_message(matcher.error()));
  if (!matcher) return false;
  auto r = matcher->excluded(path);
  EXPECT_TRUE(r) << path << ": " << (r ? "" : error_message(r.error()));
  return r && *r;
}

} // namespace

TEST(dockerignore, reading_the_file) {
  auto patterns = read_ignore_patterns("\xEF\xBB\xBF# comment\n"
                                       "node_modules\r\n"
                                       "  *.log  \n"
                                       "\n"
                                       "/build/\n"
                                       "./tmp//cache/../x\n"
                                       "! keep.log\n"
                                       " # not a comment (leading space)\n"
                                       "!\n"
                                       "/\n"
                                       "**/.git");
  EXPECT_EQ(patterns, (strings{"node_modules", "*.log", "build", "tmp/x", "!keep.log",
                               "# not a comment (leading space)", "!", "/", "**/.git"}));
}

TEST(dockerignore, basic_rules) {
  EXPECT_TRUE(excluded({"*.md"}, "README.md"));
  EXPECT_FALSE(excluded({"*.md"}, "docs/README.md"));
  EXPECT_TRUE(excluded({"*/*.md"}, "docs/README.md"));
  EXPECT_TRUE(excluded({"docs"}, "docs/a/b/c.txt")); // a parent directory matches
  EXPECT_FALSE(excluded({"doc"}, "docs/x"));
  EXPECT_TRUE(excluded({"temp?"}, "temp1"));
  EXPECT_FALSE(excluded({"temp?"}, "temp12"));
  EXPECT_TRUE(excluded({"[a-c]at"}, "bat"));
  EXPECT_FALSE(excluded({"[a-c]at"}, "rat"));
  EXPECT_TRUE(excluded({"[^a-c]at"}, "rat"));
  EXPECT_TRUE(excluded({"file\\*"}, "file*"));
  EXPECT_FALSE(excluded({"file\\*"}, "filex"));
  EXPECT_TRUE(excluded({"a.b"}, "a.b"));
  EXPECT_FALSE(excluded({"a.b*"}, "axb"));
  EXPECT_TRUE(excluded({"(x)+{y}|$"}, "(x)+{y}|$"));
}

TEST(dockerignore, double_star) {
  EXPECT_TRUE(excluded({"**/*.go"}, "main.go"));
  EXPECT_TRUE(excluded({"**/*.go"}, "a/b/c.go"));
  EXPECT_FALSE(excluded({"**/*.go"}, "a/b/c.goo"));
  EXPECT_TRUE(excluded({"a/**/b"}, "a/b"));
  EXPECT_TRUE(excluded({"a/**/b"}, "a/x/y/b"));
  EXPECT_TRUE(excluded({"a/**"}, "a/x"));
  EXPECT_TRUE(excluded({"a/**"}, "a/x/y"));
  EXPECT_TRUE(excluded({"**"}, "anything/at/all"));
  EXPECT_TRUE(excluded({"**/.git"}, ".git"));
  EXPECT_TRUE(excluded({"**/.git"}, "sub/.git/config"));
  EXPECT_TRUE(excluded({"**foo"}, "barfoo")); // patternmatcher's suffix match
  EXPECT_TRUE(excluded({"*/**/x"}, "a/x"));
  EXPECT_TRUE(excluded({"a**"}, "abc/d")); // prefix match
}

TEST(dockerignore, exceptions) {
  strings patterns{"*.log", "!important.log", "logs", "!logs/keep.txt"};
  EXPECT_TRUE(excluded(patterns, "debug.log"));
  EXPECT_FALSE(excluded(patterns, "important.log"));
  EXPECT_TRUE(excluded(patterns, "logs/a.txt"));
  EXPECT_FALSE(excluded(patterns, "logs/keep.txt"));
  // The last matching pattern wins.
  EXPECT_TRUE(excluded({"!a", "a"}, "a"));
  EXPECT_FALSE(excluded({"a", "!a"}, "a"));
  EXPECT_TRUE(excluded({"dir", "!dir/sub", "dir/sub/x"}, "dir/sub/x"));
  EXPECT_FALSE(excluded({"dir", "!dir/sub"}, "dir/sub/y"));

  auto matcher = ignore_matcher::compile({"build", "!build/keep", "!**/x"});
  ASSERT_TRUE(matcher);
  EXPECT_TRUE(matcher->has_exclusions());
  EXPECT_TRUE(matcher->may_reinclude_below("build"));
  EXPECT_FALSE(matcher->may_reinclude_below("bui"));
  EXPECT_FALSE(matcher->may_reinclude_below("other"));
}

TEST(dockerignore, pattern_errors) {
  EXPECT_EQ(error_message(ignore_matcher::compile({"!"}).error()),
            "illegal exclusion pattern: \"!\"");
  EXPECT_EQ(error_message(ignore_matcher::compile({"[a-"}).error()), "syntax error in pattern");
  EXPECT_EQ(error_message(ignore_matcher::compile({"a\\"}).error()), "syntax error in pattern");
  // Go's filepath.Match accepts "\q", the regexp it turns into does not: matching fails.
  auto odd = ignore_matcher::compile({"\\q"});
  ASSERT_TRUE(odd);
  EXPECT_FALSE(odd->excluded("q"));
  // A later pattern is not evaluated when it cannot change the result.
  auto skipped = ignore_matcher::compile({"!x", "\\q"});
  ASSERT_TRUE(skipped);
  EXPECT_FALSE(skipped->excluded("a"));
  EXPECT_TRUE(ignore_matcher::compile({"", "  "})->empty());
}

TEST(path_regex, go_regexp_subset) {
  auto match = [](std::u32string_view expr, std::string_view text) {
    auto re = path_regex::compile(expr);
    EXPECT_TRUE(re);
    return re && re->search(decode_utf8(text));
  };
  EXPECT_TRUE(match(U"^a[^/]*$", "abc"));
  EXPECT_FALSE(match(U"^a[^/]*$", "ab/c"));
  EXPECT_TRUE(match(U"^(.*/)?x$", "x"));
  EXPECT_TRUE(match(U"^(.*/)?x$", "a/b/x"));
  EXPECT_FALSE(match(U"^(.*/)?x$", "a/bx"));
  EXPECT_FALSE(match(U"^a.*$", "a\nb")); // `.` stops at a newline
  EXPECT_TRUE(match(U"^a[^/]*$", "a\nb"));
  EXPECT_TRUE(match(U"^[[:digit:]][[:^alpha:]]$", "1-"));
  EXPECT_TRUE(match(U"^[]a]$", "]"));
  EXPECT_TRUE(match(U"^[\\d]x$", "5x"));
  EXPECT_TRUE(match(U"^\\.$", "."));
  EXPECT_FALSE(match(U"^\\.$", "x"));
  EXPECT_TRUE(match(U"^é[^/]$", "éü"));
  EXPECT_FALSE(match(U"a^b", "ab"));
  for (auto bad : {U"^(a$", U"^a)$", U"^[z-a]$", U"^[a$", U"^\\q$", U"^**$", U"^a{2}$"})
    EXPECT_FALSE(path_regex::compile(bad)) << encode_utf8(bad);
}

TEST(go_path_match, filepath_match_semantics) {
  auto m = [](std::string_view pattern, std::string_view name) {
    auto r = go_path_match(pattern, name);
    EXPECT_TRUE(r) << pattern;
    return r && *r;
  };
  EXPECT_TRUE(m("abc", "abc"));
  EXPECT_TRUE(m("*", "abc"));
  EXPECT_TRUE(m("*c", "abc"));
  EXPECT_FALSE(m("a*", "ab/c"));
  EXPECT_TRUE(m("a*/b", "abc/b"));
  EXPECT_TRUE(m("a*b*c*d*e*/f", "axbxcxdxe/f"));
  EXPECT_TRUE(m("a*b*c*d*e*/f", "axbxcxdxexxx/f"));
  EXPECT_FALSE(m("a*b*c*d*e*/f", "axbxcxdxe/xxx/f"));
  EXPECT_TRUE(m("ab[c]", "abc"));
  EXPECT_TRUE(m("ab[b-d]", "abc"));
  EXPECT_FALSE(m("ab[^c]", "abc"));
  EXPECT_TRUE(m("ab[^b-d]", "abe"));
  EXPECT_TRUE(m("a\\*b", "a*b"));
  EXPECT_FALSE(m("a\\*b", "ab"));
  EXPECT_TRUE(m("a?b", "a☺b"));
  EXPECT_FALSE(m("a?b", "a/b"));
  EXPECT_TRUE(m("[\\]a]", "]"));
  EXPECT_TRUE(m("[\\-]", "-"));
  EXPECT_TRUE(m("*x", "xxx"));
  for (auto bad : {"[]a]", "[-]", "[x-]", "[a-b-c]", "[", "[^", "[^bc", "a[", "\\", "a\\", "[\\"})
    EXPECT_EQ(error_message(go_path_match(bad, "a").error()), "syntax error in pattern") << bad;
  // The rest of the pattern is checked even after a mismatch.
  EXPECT_FALSE(go_path_match("x*[", "abc"));
  EXPECT_TRUE(contains_wildcards("src/*.c"));
  EXPECT_TRUE(contains_wildcards("file?"));
  EXPECT_TRUE(contains_wildcards("[ab]"));
  EXPECT_FALSE(contains_wildcards("plain/name"));
  EXPECT_FALSE(contains_wildcards("escaped\\*"));
}

TEST(dockerignore, documented_matching_table) {
  // patternmatcher's documented behaviour, including paths as the CLI may pass them (with a
  // trailing slash) and its corner cases.
  struct row {
    const char* pattern;
    const char* path;
    bool excluded;
  };
  for (auto r : std::initializer_list<row>{
           {"**", "file", true},
           {"**/", "file/", true},
           {"**", "/", true},
           {"**/**", "dir/file", true},
           {"dir/**", "dir/dir2/file/", true},
           {"**/dir", "dir/file", true},
           {"**/dir2/*", "dir/dir2/file", true},
           {"**/dir2/**", "dir/dir2/dir3/file/", true},
           {"**file", "dir/dir/file", true},
           {"**/file*txt", "dir/dir/file.txt", true},
           {"**/**/*.txt2", "dir/dir/file.txt", false},
           {"**/**/*.txt", "file.txt", true},
           {"a**/*.txt", "a/dir/dir/file.txt", true},
           {"a/*.txt", "a/dir/file.txt", false},
           {"a/*.txt**", "a/file.txt", true},
           {"a[b-d]e", "aae", false},
           {"a[^b-d]e", "aze", true},
           {".*", ".foo", true},
           {".*", "foo", false},
           {"abc.def", "abcZdef", false},
           {"abc?def", "abcdef", false},
           {"a\\\\", "a\\", true},
           {"**/foo/bar", "dir/dir2/foo/bar", true},
           {"abc/**", "abc", false},
           {"**/.foo", "bar.foo", false},
           {"a(b)c/def", "a(b)c/xyz", false},
           {"a.|)$(}+{bc", "a.|)$(}+{bc", true},
           {"dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", true},
       })
    EXPECT_EQ(excluded({r.pattern}, r.path), r.excluded) << r.pattern << " " << r.path;
  EXPECT_FALSE(excluded({"**", "!util/docker/web"}, "util/docker/web/foo"));
  EXPECT_TRUE(excluded({"**", "!util/docker/web", "util/docker/web/foo"}, "util/docker/web/foo"));
}
