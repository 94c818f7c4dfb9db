// Tests runtime/json_log: reading what berth-shim (and dockerd) write in json-file logs.
#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/sys.hpp"
#include "runtime/json_log.hpp"

using namespace berth;
using namespace berth::runtime;

TEST(json_log, reads_a_stdout_line) {
  log_entry e;
  ASSERT_TRUE(parse_log_line(
      R"({"log":"hello\n","stream":"stdout","time":"2026-11-28T02:22:28.80628576Z"})", e));
  EXPECT_EQ(e.stream, 1);
  EXPECT_EQ(e.text, "hello\n");
  EXPECT_EQ(e.time, "2026-11-28T02:22:28.80628576Z");
  EXPECT_EQ(e.time_nanos % 1'000'000'000, 806285760);
}

TEST(json_log, unescapes_what_dockerd_escapes) {
  log_entry e;
  ASSERT_TRUE(parse_log_line(
      R"({"log":"a\"b\\c\t\u003c\u0026\u003e \u00e9 \ud83d\ude00\r\n","stream":"stderr","time":"2026-01-01T00:00:00Z"})",
      e));
  EXPECT_EQ(e.stream, 2);
  EXPECT_EQ(e.text, "a\"b\\c\t<&> \xc3\xa9 \xf0\x9f\x98\x80\r\n");
  EXPECT_EQ(e.time_nanos % 1'000'000'000, 0);
}

TEST(json_log, refuses_what_is_not_a_log_line) {
  log_entry e;
  for (const char* bad : {"", "not json", R"({"log":"x\n"})", R"({"log":"unterminated)",
                          R"({"log":"x","stream":"stdout","time":"yesterday"})", "[1,2,3]"})
    EXPECT_FALSE(parse_log_line(bad, e)) << bad;
}

TEST(json_log, rotated_files_come_oldest_first) {
  char tmpl[] = "/tmp/berth-jsonlog-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string log = dir + "/c-json.log";
  for (const auto& name : {log, log + ".1", log + ".2"})
    std::ofstream(name) << "x\n";
  EXPECT_EQ(log_files(log), (std::vector<std::string>{log + ".2", log + ".1", log}));
  (void)sys::remove(log + ".2");
  EXPECT_EQ(log_files(log), (std::vector<std::string>{log + ".1", log}));
  (void)sys::remove_all(dir);
  EXPECT_TRUE(log_files(log).empty());
}
