// The exclusive lock on a data root.
#include "daemon/data_root_lock.hpp"

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/sys.hpp"

namespace berth::daemon {

caf::expected<data_root_lock> data_root_lock::acquire(const std::string& data_root) {
  auto path = data_root + "/berthd.lock";
  auto fd = sys::open(path, O_RDWR | O_CREAT, 0600);
  if (!fd) return fd.error();
  if (::flock(fd->get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return sys::error_from_errno("flock", path, errno);
    auto owner = sys::read_file(path, 64);
    std::string pid = owner ? *owner : "";
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' '))
      pid.pop_back();
    return make_error(errc::conflict, "another berthd" + (pid.empty() ? "" : " (pid " + pid + ")") +
                                          " is already running with data root " + data_root);
  }
  auto pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd->get(), 0) != 0 || ::pwrite(fd->get(), pid.data(), pid.size(), 0) < 0)
    return sys::error_from_errno("write", path, errno);
  return data_root_lock{std::move(*fd)};
}

} // namespace berth::daemon
