// Reading Docker's json-file container logs: one JSON object per line,
// {"log":"text\n","stream":"stdout","time":"<RFC 3339 nano>"}, possibly rotated into <log>.1,
// <log>.2, ... A specialised parser (the format is fixed and written by our shim) keeps
// `docker logs` fast.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace berth::runtime {

struct log_entry {
  int stream = 1;         ///< 1 stdout, 2 stderr
  std::string text;       ///< the unescaped "log" field
  std::string time;       ///< the "time" field as written
  int64_t time_nanos = 0; ///< parsed time
};

/// Parses one line; false when it is not a json-file log object with a "log" and a valid "time".
[[nodiscard]] bool parse_log_line(std::string_view line, log_entry& out);

/// The files of a log in reading order: the oldest rotated one first, the live file last (only
/// those that exist).
[[nodiscard]] std::vector<std::string> log_files(const std::string& path);

} // namespace berth::runtime
