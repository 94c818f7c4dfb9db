// Text helpers for reading what commands and containers print (and directory listings).
#pragma once

#include <string>
#include <vector>

namespace berth::test {

/// The non-empty lines of `text`, without their line ends ("\n", and a terminal's "\r\n").
[[nodiscard]] std::vector<std::string> lines_of(const std::string& text);

/// `s` without trailing newlines, carriage returns and spaces.
[[nodiscard]] std::string trim(std::string s);

/// The names in directory `dir` (without "." and ".."), sorted; empty when it cannot be read.
[[nodiscard]] std::vector<std::string> dir_entries(const std::string& dir);

/// The trimmed contents of the file at `path` ("" when it cannot be read).
[[nodiscard]] std::string read_text(const std::string& path);

} // namespace berth::test
