// The systemd notification protocol.
#include "daemon/service_notify.hpp"

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/fd.hpp"

namespace berth::daemon {

namespace {

std::string& notify_socket() {
  static std::string path;
  return path;
}

} // namespace

void capture_notify_socket() {
  if (const char* path = std::getenv("NOTIFY_SOCKET")) notify_socket() = path;
  ::unsetenv("NOTIFY_SOCKET");
}

void notify_service_manager(std::string_view state) {
  const auto& path = notify_socket();
  if (path.empty()) return;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  size_t len = path.size();
  if (len >= sizeof addr.sun_path) return;
  std::memcpy(addr.sun_path, path.data(), len);
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0'; // abstract namespace
  unique_fd fd{::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  if (!fd) return;
  auto addr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
  (void)::sendto(fd.get(), state.data(), state.size(), MSG_NOSIGNAL,
                 reinterpret_cast<sockaddr*>(&addr), addr_len);
}

} // namespace berth::daemon
