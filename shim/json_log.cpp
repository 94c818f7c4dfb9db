// The json-file log driver inside berth-shim.
#include "shim/json_log.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim/clock.hpp"
#include "shim/json_text.hpp"

namespace berth::shim {

namespace {

constexpr size_t flush_threshold = 64 * 1024;

size_t index_of(output_stream stream) {
  return stream == output_stream::out ? 0 : 1;
}

} // namespace

status json_log::open(std::string path, uint64_t max_size, int max_files) {
  path_ = std::move(path);
  max_size_ = max_size;
  max_files_ = max_files < 1 ? 1 : max_files;
  if (path_.empty()) return {};
  auto file = open_file(path_, O_WRONLY | O_APPEND | O_CREAT, 0640);
  if (!file) return file.take_error();
  struct stat st {};
  if (::fstat(file->get(), &st) == 0) file_size_ = static_cast<uint64_t>(st.st_size);
  file_ = std::move(*file);
  return {};
}

void json_log::write(output_stream stream, std::string_view data, int64_t now_ns) {
  if (path_.empty()) return;
  auto& partial = partial_[index_of(stream)];
  while (!data.empty()) {
    auto newline = data.find('\n');
    if (newline == std::string_view::npos) {
      // No end of line: keep it, but never more than one full entry.
      size_t room = max_line - partial.size();
      size_t take = data.size() < room ? data.size() : room;
      partial.append(data.data(), take);
      data.remove_prefix(take);
      if (partial.size() == max_line) {
        emit(stream, partial, now_ns);
        partial.clear();
      }
      continue;
    }
    auto line = data.substr(0, newline + 1);
    data.remove_prefix(newline + 1);
    if (partial.empty()) {
      // Split an over-long line the way dockerd's 16 KiB read buffer does.
      while (line.size() > max_line) {
        emit(stream, line.substr(0, max_line), now_ns);
        line.remove_prefix(max_line);
      }
      emit(stream, line, now_ns);
      continue;
    }
    while (!line.empty()) {
      size_t room = max_line - partial.size();
      size_t take = line.size() < room ? line.size() : room;
      partial.append(line.data(), take);
      line.remove_prefix(take);
      if (partial.size() == max_line || line.empty()) {
        emit(stream, partial, now_ns);
        partial.clear();
      }
    }
  }
}

void json_log::close_stream(output_stream stream, int64_t now_ns) {
  auto& partial = partial_[index_of(stream)];
  if (!partial.empty()) {
    emit(stream, partial, now_ns);
    partial.clear();
  }
}

void json_log::emit(output_stream stream, std::string_view line, int64_t now_ns) {
  entry_.clear();
  entry_ += "{\"log\":";
  append_json_string(entry_, line);
  entry_ += stream == output_stream::out ? ",\"stream\":\"stdout\",\"time\":\""
                                         : ",\"stream\":\"stderr\",\"time\":\"";
  append_rfc3339_nano(entry_, now_ns);
  entry_ += "\"}\n";
  if (max_size_ > 0 && file_size_ > 0 && file_size_ + entry_.size() > max_size_) rotate();
  if (!file_) reopen(0); // after a failed rotation
  if (!file_) {
    ++errors_;
    return;
  }
  buffer_ += entry_;
  file_size_ += entry_.size();
  if (buffer_.size() >= flush_threshold) flush();
}

void json_log::flush() {
  if (buffer_.empty()) return;
  if (file_) {
    std::string_view data = buffer_;
    while (!data.empty()) {
      auto n = ::write(file_.get(), data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fail("write " + path_ + ": " + errno_text(errno));
        break;
      }
      bytes_written_ += static_cast<uint64_t>(n);
      data.remove_prefix(static_cast<size_t>(n));
    }
  }
  buffer_.clear();
}

void json_log::rotate() {
  flush();
  file_.reset();
  if (max_files_ <= 1) {
    reopen(O_TRUNC);
    return;
  }
  for (int i = max_files_ - 1; i >= 2; --i) {
    auto from = path_ + "." + std::to_string(i - 1);
    auto to = path_ + "." + std::to_string(i);
    if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT)
      fail("rename " + from + ": " + errno_text(errno));
  }
  auto first = path_ + ".1";
  if (::rename(path_.c_str(), first.c_str()) != 0 && errno != ENOENT)
    fail("rename " + path_ + ": " + errno_text(errno));
  reopen(O_TRUNC);
}

void json_log::reopen(int extra_flags) {
  auto file = open_file(path_, O_WRONLY | O_APPEND | O_CREAT | extra_flags, 0640);
  if (!file) {
    fail(file.message());
    return;
  }
  file_ = std::move(*file);
  file_size_ = 0;
}

void json_log::fail(std::string message) {
  ++errors_;
  last_error_ = std::move(message);
}

} // namespace berth::shim
