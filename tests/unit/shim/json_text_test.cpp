// Tests shim/json_text: Docker's json-file string escaping and the minimal JSON reader.
#include <string>

#include <gtest/gtest.h>

#include "shim/json_text.hpp"

using namespace berth::shim;

namespace {

std::string escaped(std::string_view bytes) {
  std::string out;
  append_json_string(out, bytes);
  return out;
}

} // namespace

TEST(shim_json_text, escapes_like_dockerd) {
  EXPECT_EQ(escaped("hello\n"), R"("hello\n")");
  EXPECT_EQ(escaped("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(escaped("\r\t\x01\x1f"), R"("\r\u0009\u0001\u001f")");
  EXPECT_EQ(escaped("<a&b>"), R"("\u003ca\u0026b\u003e")");
  EXPECT_EQ(escaped(std::string_view{"\0", 1}), R"("\u0000")");
  EXPECT_EQ(escaped(""), R"("")");
}

TEST(shim_json_text, keeps_valid_utf8_and_replaces_invalid_bytes) {
  EXPECT_EQ(escaped("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"),
            "\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\"");
  EXPECT_EQ(escaped("\xef\xbf\xbd"), "\"\xef\xbf\xbd\""); // a real U+FFFD stays
  // Each invalid byte becomes one U+FFFD, as Go's utf8.DecodeRune reads them.
  EXPECT_EQ(escaped("a\xff"
                    "b"),
            R"("a\ufffdb")");
  EXPECT_EQ(escaped("\xc3"), R"("\ufffd")");                               // truncated
  EXPECT_EQ(escaped("\xc0\xaf"), R"("\ufffd\ufffd")");                     // overlong
  EXPECT_EQ(escaped("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");           // surrogate
  EXPECT_EQ(escaped("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")"); // > U+10FFFF
  EXPECT_EQ(escaped("\xe2\x82"), R"("\ufffd\ufffd")");
  EXPECT_EQ(escaped("\xe2\x80\xa8\xe2\x80\xa9"), R"("\u2028\u2029")");
}

TEST(shim_json_text, finds_values_by_path) {
  std::string_view config = R"({"ociVersion":"1.0.2","process":{"args":["sh","-c","x"],
    "user":{"uid":1000,"gid":-5}},"linux":{"namespaces":[{"type":"pid"}],
    "cgroupsPath":"/berth/abc\u00e9\n","resources":{"memory":{"limit":123}}}})";
  EXPECT_EQ(find_json_string(config, {"linux", "cgroupsPath"}), "/berth/abc\xc3\xa9\n");
  EXPECT_EQ(find_json_integer(config, {"process", "user", "uid"}), 1000);
  EXPECT_EQ(find_json_integer(config, {"process", "user", "gid"}), -5);
  EXPECT_EQ(find_json_integer(config, {"linux", "resources", "memory", "limit"}), 123);
  EXPECT_FALSE(find_json_string(config, {"linux", "missing"}));
  EXPECT_FALSE(find_json_string(config, {"process", "user", "uid"})); // not a string
  EXPECT_FALSE(find_json_string("{\"a\":", {"a"}));
  EXPECT_FALSE(find_json_string("not json", {"a"}));
  auto runc_line =
      R"({"level":"error","msg":"exec: \"nosuch\": executable file not found in $PATH","time":"x"})";
  EXPECT_EQ(find_json_string(runc_line, {"msg"}),
            "exec: \"nosuch\": executable file not found in $PATH");
  EXPECT_EQ(find_json_string(runc_line, {"level"}), "error");
  EXPECT_EQ(find_json_string(R"({"s":"\ud83d\ude00"})", {"s"}), "\xf0\x9f\x98\x80");
}

TEST(shim_json_text, formats_the_exit_json) {
  EXPECT_EQ(format_exit_json(137, true, 1764288000123456789, 42),
            R"({"exit_code":137,"oom_killed":true,"finished_at":1764288000123456789,"pid":42})");
}
