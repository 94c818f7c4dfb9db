// The TTY of a container.
#include "shim/console.hpp"

#include <cerrno>
#include <cstring>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>

namespace berth::shim {

result<fd> receive_console(int listener) {
  fd conn = accept_nonblocking(listener);
  if (!conn) return error{"the runtime did not connect to the console socket"};
  char name[256];
  iovec iov{name, sizeof name};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(conn.get(), &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return errno_error("recvmsg", "console socket", errno);
  fd master;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t k = 0; k < count; ++k) {
      int raw = -1;
      std::memcpy(&raw, CMSG_DATA(c) + k * sizeof(int), sizeof raw);
      if (!master)
        master.reset(raw);
      else
        fd{raw}.reset(); // unexpected extra descriptors: close them
    }
  }
  if (!master) return error{"the runtime sent no console descriptor"};
  if (auto st = set_nonblocking(master.get()); !st) return st.take_error();
  return master;
}

status resize_console(int master, int rows, int cols) {
  winsize size{};
  size.ws_row = static_cast<unsigned short>(rows);
  size.ws_col = static_cast<unsigned short>(cols);
  if (::ioctl(master, TIOCSWINSZ, &size) != 0) return errno_error("ioctl", "TIOCSWINSZ", errno);
  return {};
}

} // namespace berth::shim
