// Following a json-file log as it grows (see log_follower.hpp).
#include "runtime/log_follower.hpp"

#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

namespace berth::runtime {

log_follow_signal::log_follow_signal() : wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

void log_follow_signal::finish() {
  finished_.store(true);
  wake();
}

void log_follow_signal::wake() {
  uint64_t one = 1;
  (void)::write(wake_.get(), &one, sizeof one);
}

bool read_log_lines(int fd, off_t& offset, std::string& carry, const log_entry_sink& emit) {
  std::string buf(1 << 20, '\0');
  log_entry entry;
  for (;;) {
    auto n = ::pread(fd, buf.data(), buf.size(), offset);
    if (n <= 0) return true;
    offset += n;
    std::string_view chunk(buf.data(), static_cast<size_t>(n));
    size_t start = 0;
    while (true) {
      auto nl = chunk.find('\n', start);
      if (nl == std::string_view::npos) {
        carry.append(chunk.substr(start));
        break;
      }
      std::string_view line = chunk.substr(start, nl - start);
      if (!carry.empty()) {
        carry.append(line);
        if (parse_log_line(carry, entry) && !emit(entry)) return false;
        carry.clear();
      } else if (parse_log_line(line, entry) && !emit(entry)) {
        return false;
      }
      start = nl + 1;
    }
  }
}

void follow_log(const std::string& path, log_position from, log_follow_signal& signal,
                const log_entry_sink& emit, const std::function<bool()>& deliver) {
  unique_fd notify{::inotify_init1(IN_CLOEXEC | IN_NONBLOCK)};
  auto dir = path.substr(0, path.rfind('/'));
  ::inotify_add_watch(notify.get(), dir.c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO);
  // The file being read, its inode and the offset in it.
  unique_fd fd;
  auto inode = from.inode;
  auto offset = from.offset;
  std::string carry;
  auto open_live = [&] {
    fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0 || st.st_ino == inode) return;
    // Not the file `offset` is in: from its beginning.
    inode = st.st_ino;
    offset = 0;
    carry.clear();
  };
  // A rotation put a new file at `path` (or the file was cut short).
  auto replaced = [&] {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && (st.st_ino != inode || st.st_size < offset);
  };
  for (;;) {
    if (!fd) {
      open_live();
    } else if (replaced()) {
      // The old file is finished: its last lines, then the new one.
      if (!read_log_lines(fd.get(), offset, carry, emit)) return;
      inode = 0;
      open_live();
    }
    if (fd && !read_log_lines(fd.get(), offset, carry, emit)) return;
    if (!deliver()) return;
    if (signal.finished()) {
      // One last read: the writer flushed its final lines before it finished.
      if (fd && read_log_lines(fd.get(), offset, carry, emit)) (void)deliver();
      return;
    }
    pollfd fds[2] = {{notify.get(), POLLIN, 0}, {signal.fd(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
    char drain[4096];
    while (::read(notify.get(), drain, sizeof drain) > 0) {
    }
    uint64_t value;
    (void)::read(signal.fd(), &value, sizeof value);
    if (!deliver()) return;
  }
}

} // namespace berth::runtime
