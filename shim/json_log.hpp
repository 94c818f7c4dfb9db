// The json-file log driver inside berth-shim: Docker's on-disk format, line splitting, rotation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "shim/io.hpp"
#include "shim/result.hpp"

namespace berth::shim {

/// The container's output streams (their numbers are Docker's stdcopy stream bytes).
enum class output_stream : uint8_t { out = 1, err = 2 };

/// Writes a container's output as dockerd's json-file driver does: one
/// {"log":...,"stream":...,"time":...} object per line, lines split at '\n' (the newline kept in
/// "log"), lines longer than 16 KiB written as 16 KiB partial entries, a partial last line
/// written at end of stream. Entries are buffered and written by `flush` (once per loop
/// iteration). Before an entry would take the file over `max_size` the file is rotated:
/// <log>.N-2 → <log>.N-1, ..., <log> → <log>.1, keeping `max_files` files (one file: truncate).
/// Write errors (a full disk) drop entries and are counted; they never block the container.
class json_log {
 public:
  /// Longest "log" value of one entry, as dockerd's copier buffer.
  static constexpr size_t max_line = 16 * 1024;

  json_log() = default;

  /// Opens (appends to) `path`; an empty path makes a log that discards everything.
  [[nodiscard]] status open(std::string path, uint64_t max_size, int max_files);

  /// Adds output read at `now_ns` from `stream`.
  void write(output_stream stream, std::string_view data, int64_t now_ns);

  /// End of `stream`: writes its partial last line, if any.
  void close_stream(output_stream stream, int64_t now_ns);

  /// Writes the buffered entries to the file.
  void flush();

  [[nodiscard]] bool enabled() const noexcept { return file_.valid(); }
  [[nodiscard]] uint64_t bytes_written() const noexcept { return bytes_written_; }
  [[nodiscard]] uint64_t errors() const noexcept { return errors_; }
  [[nodiscard]] const std::string& last_error() const noexcept { return last_error_; }

 private:
  void emit(output_stream stream, std::string_view line, int64_t now_ns);
  void rotate();
  void reopen(int extra_flags);
  void fail(std::string message);

  std::string path_;
  uint64_t max_size_ = 0;
  int max_files_ = 1;
  fd file_;
  uint64_t file_size_ = 0; ///< bytes in the current file, buffered ones included
  std::string buffer_;     ///< entries not yet written
  std::string entry_;      ///< scratch for one entry
  std::string partial_[2]; ///< per stream, bytes after the last '\n'
  uint64_t bytes_written_ = 0;
  uint64_t errors_ = 0;
  std::string last_error_;
};

} // namespace berth::shim
