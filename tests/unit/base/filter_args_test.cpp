// Tests base/filter_args: both JSON forms and moby's matching rules.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/filter_args.hpp"

using namespace berth;

TEST(filter_args, parses_cli_and_docker_py_forms) {
  auto cli = filter_args::parse(R"({"label":{"a=b":true,"c":true},"type":{"container":true}})");
  ASSERT_TRUE(cli);
  EXPECT_EQ(cli->get("label"), (std::vector<std::string>{"a=b", "c"}));
  auto py = filter_args::parse(R"({"label":["a=b"],"type":["image"]})");
  ASSERT_TRUE(py);
  EXPECT_EQ(py->get("type"), std::vector<std::string>{"image"});
  auto empty = filter_args::parse("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(filter_args, rejects_malformed_input) {
  EXPECT_FALSE(filter_args::parse("{not json"));
  EXPECT_FALSE(filter_args::parse("[1]"));
  EXPECT_FALSE(filter_args::parse(R"({"label":"x"})"));
  EXPECT_FALSE(filter_args::parse(R"({"label":[1]})"));
}

TEST(filter_args, validate_names_the_unknown_filter) {
  auto f = filter_args::parse(R"({"bogus":["x"]})");
  ASSERT_TRUE(f);
  auto err = f->validate({"label", "type"});
  ASSERT_TRUE(err);
  EXPECT_EQ(error_message(err), "invalid filter 'bogus'");
  EXPECT_EQ(error_kind(err), errc::invalid_argument);
}

TEST(filter_args, matching_rules) {
  auto f = *filter_args::parse(R"({"type":["container"],"container":["ab"],"label":["a=1","b"]})");
  EXPECT_TRUE(f.exact_match("type", "container"));
  EXPECT_FALSE(f.exact_match("type", "image"));
  EXPECT_TRUE(f.exact_match("event", "anything"));
  EXPECT_TRUE(f.fuzzy_match("container", "abcdef"));
  EXPECT_FALSE(f.fuzzy_match("container", "xabc"));
  EXPECT_TRUE(f.match_kv_list("label", {{"a", "1"}, {"b", "z"}}));
  EXPECT_FALSE(f.match_kv_list("label", {{"a", "2"}, {"b", "z"}}));
  EXPECT_FALSE(f.match_kv_list("label", {{"a", "1"}}));
}

TEST(filter_args, boolean_filters) {
  auto f = *filter_args::parse(R"({"dangling":["true"]})");
  EXPECT_EQ(f.get_bool_or("dangling", false), true);
  EXPECT_EQ(f.get_bool_or("other", false), false);
  auto bad = *filter_args::parse(R"({"dangling":["maybe"]})");
  EXPECT_FALSE(bad.get_bool_or("dangling", false));
}

TEST(filter_args, pattern_match_exact_and_regex) {
  auto f = *filter_args::parse(R"({"name":["data"]})");
  EXPECT_TRUE(f.pattern_match("name", "data"));
  // regex_search semantics: a match anywhere in the name is enough, as Go's MatchString.
  EXPECT_TRUE(f.pattern_match("name", "mydata2"));
  EXPECT_FALSE(f.pattern_match("name", "dat"));
  EXPECT_FALSE(f.pattern_match("name", "DATA"));

  auto anchored = *filter_args::parse(R"({"name":["^o"]})");
  EXPECT_TRUE(anchored.pattern_match("name", "one"));
  EXPECT_TRUE(anchored.pattern_match("name", "o"));
  EXPECT_FALSE(anchored.pattern_match("name", "two"));

  auto full = *filter_args::parse(R"({"name":["^v[0-9]+$"]})");
  EXPECT_TRUE(full.pattern_match("name", "v12"));
  EXPECT_FALSE(full.pattern_match("name", "v12a"));
  EXPECT_FALSE(full.pattern_match("name", "xv12"));

  auto dot = *filter_args::parse(R"({"name":["a.c"]})");
  EXPECT_TRUE(dot.pattern_match("name", "abc"));
  EXPECT_TRUE(dot.pattern_match("name", "a.c"));
  EXPECT_FALSE(dot.pattern_match("name", "ac"));
}

TEST(filter_args, pattern_match_any_value) {
  auto f = *filter_args::parse(R"({"name":["^web","db$"]})");
  EXPECT_TRUE(f.pattern_match("name", "web-1"));
  EXPECT_TRUE(f.pattern_match("name", "main-db"));
  EXPECT_FALSE(f.pattern_match("name", "cache"));
}

TEST(filter_args, pattern_match_invalid_regex_matches_nothing) {
  auto f = *filter_args::parse(R"({"name":["(unclosed","[z-a]"]})");
  EXPECT_FALSE(f.pattern_match("name", "unclosed"));
  EXPECT_FALSE(f.pattern_match("name", "z"));
  EXPECT_FALSE(f.pattern_match("name", "anything"));
  // ... except the exact text itself, which is compared before the pattern.
  EXPECT_TRUE(f.pattern_match("name", "(unclosed"));
  EXPECT_TRUE(f.pattern_match("name", "[z-a]"));
  // An invalid pattern next to a valid one does not hide the valid one.
  auto mixed = *filter_args::parse(R"({"name":["(bad","ok"]})");
  EXPECT_TRUE(mixed.pattern_match("name", "is-ok"));
}

TEST(filter_args, pattern_match_unfiltered_name_is_true) {
  auto f = *filter_args::parse(R"({"label":["a=b"]})");
  EXPECT_TRUE(f.pattern_match("name", "anything"));
  EXPECT_TRUE(f.pattern_match("name", ""));
  auto none = *filter_args::parse("");
  EXPECT_TRUE(none.pattern_match("name", "x"));
}
