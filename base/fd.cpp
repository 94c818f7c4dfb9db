// RAII owner of a file descriptor.
#include "base/fd.hpp"

#include <unistd.h>

namespace berth {

void unique_fd::reset(int fd) noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

} // namespace berth
