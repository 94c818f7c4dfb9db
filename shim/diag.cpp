// berth-shim's own diagnostics.
#include "shim/diag.hpp"

#include <fcntl.h>
#include <string>
#include <unistd.h>

#include "shim/clock.hpp"

namespace berth::shim {

namespace {

int diag_fd = -1;

} // namespace

void open_diag(const char* path) {
  if (diag_fd >= 0) ::close(diag_fd);
  diag_fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

void diag(std::string_view message) {
  if (diag_fd < 0) return;
  std::string line;
  line.reserve(message.size() + 40);
  append_rfc3339_nano(line, realtime_ns());
  line += ' ';
  line += message;
  line += '\n';
  // One write per line: O_APPEND keeps lines whole; a failed diagnostic is not worth more.
  [[maybe_unused]] auto n = ::write(diag_fd, line.data(), line.size());
}

} // namespace berth::shim
