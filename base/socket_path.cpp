// Unix socket paths that do not fit sockaddr_un.
#include "base/socket_path.hpp"

#include <fcntl.h>
#include <sys/un.h>

#include "base/sys.hpp"

namespace berth {

caf::expected<socket_path> socket_path::make(const std::string& dir, const std::string& name) {
  socket_path out;
  out.address_ = dir + "/" + name;
  if (out.address_.size() < sizeof(sockaddr_un::sun_path)) return out;
  auto opened = sys::open(dir, O_PATH | O_DIRECTORY);
  if (!opened) return opened.error();
  out.dir_ = std::move(*opened);
  out.address_ = "/proc/self/fd/" + std::to_string(out.dir_.get()) + "/" + name;
  return out;
}

} // namespace berth
