// File descriptors and small blocking/non-blocking I/O helpers for berth-shim. Every descriptor
// the shim opens is close-on-exec: the container inherits only the stdio it is given.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <utility>

#include "shim/result.hpp"

namespace berth::shim {

/// Owns one file descriptor and closes it on destruction.
class fd {
 public:
  fd() noexcept = default;
  explicit fd(int raw) noexcept : fd_(raw) {}
  fd(fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  fd& operator=(fd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  fd(const fd&) = delete;
  fd& operator=(const fd&) = delete;
  ~fd() { reset(); }

  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
  explicit operator bool() const noexcept { return valid(); }
  [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }
  void reset(int raw = -1) noexcept;

 private:
  int fd_ = -1;
};

/// open(2) with O_CLOEXEC, retrying EINTR.
[[nodiscard]] result<fd> open_file(const std::string& path, int flags, mode_t mode = 0);

/// A pipe whose both ends are close-on-exec.
struct pipe_pair {
  fd read_end;
  fd write_end;
};
[[nodiscard]] result<pipe_pair> make_pipe();

/// Sets O_NONBLOCK.
[[nodiscard]] status set_nonblocking(int raw);

/// Writes all of `data` to a blocking descriptor (retrying short writes and EINTR).
[[nodiscard]] status write_all(int raw, std::string_view data);

/// Reads a small file whole (at most `max_bytes`).
[[nodiscard]] result<std::string> read_file(const std::string& path, size_t max_bytes = 1 << 20);

/// Reads `path` from byte `offset` on (at most `max_bytes`); a missing file reads as empty.
[[nodiscard]] std::string read_file_from(const std::string& path, off_t offset, size_t max_bytes);

/// Size of a file, 0 when missing.
[[nodiscard]] off_t file_size(const std::string& path);

/// Writes `data` to `path` atomically: `path`.tmp, fsync, rename, fsync of the directory.
[[nodiscard]] status write_file_atomic(const std::string& path, std::string_view data, mode_t mode);

/// A listening unix stream socket bound to `path` (replacing a stale file), mode 0600,
/// non-blocking and close-on-exec.
[[nodiscard]] result<fd> listen_unix(const std::string& path);

/// True when something accepts connections on the unix socket `path`.
[[nodiscard]] bool unix_socket_alive(const std::string& path);

/// accept4(2) with SOCK_CLOEXEC | SOCK_NONBLOCK; an invalid fd when nothing is pending.
[[nodiscard]] fd accept_nonblocking(int listener);

/// Removes the text up to the first `separator` (or all of it) from `rest` and returns it
/// without the separator.
[[nodiscard]] std::string_view pop_token(std::string_view& rest, char separator);

/// Removes the first line of `rest` and returns it without its '\n'.
[[nodiscard]] inline std::string_view pop_line(std::string_view& rest) {
  return pop_token(rest, '\n');
}

/// Parses a decimal integer that must fill all of `text` and lie within [min, max].
[[nodiscard]] bool parse_int(std::string_view text, long long min, long long max, long long& out);

} // namespace berth::shim
