// Tests shim/json_log: dockerd's json-file lines, partial lines, rotation.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "shim/json_log.hpp"

using namespace berth::shim;

namespace {

constexpr int64_t t0 = 1'764'288'000'123'456'789;

class shim_json_log : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-shim-log-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/c-json.log";
  }
  void TearDown() override {
    std::string cmd = "rm -rf " + dir_;
    EXPECT_EQ(std::system(cmd.c_str()), 0);
  }
  static std::string slurp(const std::string& path) {
    std::ifstream in{path};
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream ss{text};
    for (std::string line; std::getline(ss, line);)
      out.push_back(line);
    return out;
  }

  std::string dir_;
  std::string path_;
};

} // namespace

TEST_F(shim_json_log, writes_one_entry_per_line_in_dockers_format) {
  json_log log;
  ASSERT_TRUE(log.open(path_, 0, 1));
  log.write(output_stream::out, "hello\nwor", t0);
  log.write(output_stream::err, "oops\n", t0);
  log.write(output_stream::out, "ld\n", t0 + 1000);
  log.write(output_stream::out, "tail", t0);
  log.flush();
  auto got = lines(slurp(path_));
  ASSERT_EQ(got.size(), 3U);
  EXPECT_EQ(got[0],
            R"({"log":"hello\n","stream":"stdout","time":"2025-11-28T00:00:00.123456789Z"})");
  EXPECT_EQ(got[1],
            R"({"log":"oops\n","stream":"stderr","time":"2025-11-28T00:00:00.123456789Z"})");
  EXPECT_EQ(got[2],
            R"({"log":"world\n","stream":"stdout","time":"2025-11-28T00:00:00.123457789Z"})");
  log.close_stream(output_stream::out, t0);
  log.flush();
  got = lines(slurp(path_));
  ASSERT_EQ(got.size(), 4U);
  EXPECT_EQ(got[3], R"({"log":"tail","stream":"stdout","time":"2025-11-28T00:00:00.123456789Z"})");
  EXPECT_EQ(log.bytes_written(), slurp(path_).size());
}

TEST_F(shim_json_log, splits_long_lines_at_16_kib) {
  json_log log;
  ASSERT_TRUE(log.open(path_, 0, 1));
  std::string big(40 * 1024, 'x');
  log.write(output_stream::out, big.substr(0, 1000), t0);
  log.write(output_stream::out, big.substr(1000) + "\n", t0);
  log.flush();
  auto got = lines(slurp(path_));
  ASSERT_EQ(got.size(), 3U);
  auto log_of = [](const std::string& line) {
    auto start = line.find("\"log\":\"") + 7;
    return line.substr(start, line.find('"', start) - start);
  };
  EXPECT_EQ(log_of(got[0]).size(), json_log::max_line);
  EXPECT_EQ(log_of(got[1]).size(), json_log::max_line);
  EXPECT_EQ(log_of(got[2]), std::string(40 * 1024 - 2 * json_log::max_line, 'x') + "\\n");
}

TEST_F(shim_json_log, rotates_keeping_max_files) {
  json_log log;
  ASSERT_TRUE(log.open(path_, 400, 3));
  for (int i = 0; i < 40; ++i) {
    log.write(output_stream::out, "line " + std::to_string(i) + "\n", t0);
    log.flush();
  }
  auto current = slurp(path_);
  auto first = slurp(path_ + ".1");
  auto second = slurp(path_ + ".2");
  EXPECT_EQ(::access((path_ + ".3").c_str(), F_OK), -1);
  for (const auto* file : {&current, &first, &second}) {
    EXPECT_FALSE(file->empty());
    EXPECT_LE(file->size(), 400U);
  }
  // Oldest to newest, the lines are consecutive and end with the last one.
  auto all = lines(second + first + current);
  ASSERT_FALSE(all.empty());
  int expected = 40 - static_cast<int>(all.size());
  for (const auto& line : all)
    EXPECT_NE(line.find("\"line " + std::to_string(expected++) + "\\n\""), std::string::npos)
        << line;
}

TEST_F(shim_json_log, one_file_means_truncate) {
  json_log log;
  ASSERT_TRUE(log.open(path_, 200, 1));
  for (int i = 0; i < 10; ++i) {
    log.write(output_stream::out, "line " + std::to_string(i) + "\n", t0);
    log.flush();
  }
  EXPECT_LE(slurp(path_).size(), 200U);
  EXPECT_NE(slurp(path_).find("line 9"), std::string::npos);
  EXPECT_EQ(::access((path_ + ".1").c_str(), F_OK), -1);
}

TEST_F(shim_json_log, appends_to_an_existing_file_and_an_empty_path_discards) {
  {
    std::ofstream out{path_};
    out << "{\"log\":\"old\\n\",\"stream\":\"stdout\",\"time\":\"2025-01-01T00:00:00Z\"}\n";
  }
  json_log log;
  ASSERT_TRUE(log.open(path_, 0, 1));
  log.write(output_stream::out, "new\n", t0);
  log.flush();
  EXPECT_EQ(lines(slurp(path_)).size(), 2U);
  json_log none;
  ASSERT_TRUE(none.open("", 0, 1));
  none.write(output_stream::out, "x\n", t0);
  none.flush();
  EXPECT_FALSE(none.enabled());
  EXPECT_EQ(none.bytes_written(), 0U);
}
