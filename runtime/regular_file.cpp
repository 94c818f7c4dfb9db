// Bounded, non-blocking reads of regular files.
#include "runtime/regular_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/sys.hpp"

namespace berth::runtime {

caf::expected<std::optional<std::string>> read_regular_file(int dirfd, const std::string& path,
                                                            uint64_t resolve, size_t max_bytes,
                                                            const std::string& what) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer.
  auto fd = sys::openat2(dirfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, resolve);
  if (!fd) {
    if (error_kind(fd.error()) == errc::not_found) return std::optional<std::string>{};
    return fd.error();
  }
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) return sys::error_from_errno("fstat", path, errno);
  if (!S_ISREG(st.st_mode))
    return make_error(errc::invalid_argument, what + " is not a regular file");
  std::string data;
  char buf[65536];
  while (true) {
    auto n = ::read(fd->get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys::error_from_errno("read", path, errno);
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > max_bytes)
      return make_error(errc::invalid_argument,
                        what + " is larger than " + std::to_string(max_bytes >> 20) + " MiB");
  }
  return std::optional<std::string>{std::move(data)};
}

} // namespace berth::runtime
