// File descriptors and small I/O helpers for berth-shim.
#include "shim/io.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace berth::shim {

std::string errno_text(int err) {
  return std::strerror(err);
}

error errno_error(std::string_view call, std::string_view path, int err) {
  std::string msg{call};
  if (!path.empty()) {
    msg += ' ';
    msg += path;
  }
  msg += ": ";
  msg += std::strerror(err);
  return error{std::move(msg)};
}

void fd::reset(int raw) noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = raw;
}

result<fd> open_file(const std::string& path, int flags, mode_t mode) {
  int raw;
  do {
    raw = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (raw < 0 && errno == EINTR);
  if (raw < 0) return errno_error("open", path, errno);
  return fd{raw};
}

result<pipe_pair> make_pipe() {
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) return errno_error("pipe2", "", errno);
  return pipe_pair{fd{ends[0]}, fd{ends[1]}};
}

status set_nonblocking(int raw) {
  int flags = ::fcntl(raw, F_GETFL);
  if (flags < 0 || ::fcntl(raw, F_SETFL, flags | O_NONBLOCK) != 0)
    return errno_error("fcntl", "O_NONBLOCK", errno);
  return {};
}

status write_all(int raw, std::string_view data) {
  while (!data.empty()) {
    auto n = ::write(raw, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("write", "", errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

result<std::string> read_file(const std::string& path, size_t max_bytes) {
  auto file = open_file(path, O_RDONLY);
  if (!file) return file.take_error();
  std::string out;
  char buf[4096];
  for (;;) {
    auto n = ::read(file->get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("read", path, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_bytes) return error{"file " + path + " is too large"};
  }
  return out;
}

std::string read_file_from(const std::string& path, off_t offset, size_t max_bytes) {
  std::string out;
  auto file = open_file(path, O_RDONLY);
  if (!file) return out;
  char buf[4096];
  while (out.size() < max_bytes) {
    auto n = ::pread(file->get(), buf, sizeof buf, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    offset += n;
  }
  if (out.size() > max_bytes) out.resize(max_bytes);
  return out;
}

off_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : 0;
}

status write_file_atomic(const std::string& path, std::string_view data, mode_t mode) {
  auto tmp = path + ".tmp";
  {
    auto file = open_file(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (!file) return file.take_error();
    if (auto st = write_all(file->get(), data); !st) return error{tmp + ": " + st.message()};
    if (::fsync(file->get()) != 0) return errno_error("fsync", tmp, errno);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return errno_error("rename", tmp, errno);
  auto slash = path.rfind('/');
  auto dir = slash == std::string::npos ? std::string{"."} : path.substr(0, slash + 1);
  if (auto dirfd = open_file(dir, O_RDONLY | O_DIRECTORY)) ::fsync(dirfd->get());
  return {};
}

result<fd> listen_unix(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return error{"socket path too long: " + path};
  std::memcpy(addr.sun_path, path.data(), path.size());
  fd sock{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
  if (!sock) return errno_error("socket", path, errno);
  ::unlink(path.c_str());
  // Bind under a strict umask so the socket is never reachable by others, even briefly.
  auto old_mask = ::umask(0177);
  int rc = ::bind(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int err = errno;
  ::umask(old_mask);
  if (rc != 0) return errno_error("bind", path, err);
  if (::chmod(path.c_str(), 0600) != 0) return errno_error("chmod", path, errno);
  if (::listen(sock.get(), 64) != 0) return errno_error("listen", path, errno);
  return sock;
}

bool unix_socket_alive(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, path.data(), path.size());
  fd sock{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
  if (!sock) return false;
  // EAGAIN: a full backlog, so someone is listening.
  return ::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 ||
         errno == EAGAIN;
}

fd accept_nonblocking(int listener) {
  int raw;
  do {
    raw = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  } while (raw < 0 && errno == EINTR);
  return fd{raw};
}

std::string_view pop_token(std::string_view& rest, char separator) {
  auto end = rest.find(separator);
  auto token = rest.substr(0, end);
  rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
  return token;
}

bool parse_int(std::string_view text, long long min, long long max, long long& out) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return false;
  if (value < min || value > max) return false;
  out = value;
  return true;
}

} // namespace berth::shim
