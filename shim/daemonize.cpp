// Detaching berth-shim from the daemon.
#include "shim/daemonize.hpp"

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/shim_protocol.hpp"
#include "shim/diag.hpp"
#include "shim/io.hpp"

namespace berth::shim {

status daemonize(const options& opts) {
  pid_t pid = ::fork();
  if (pid < 0) return errno_error("fork", "", errno);
  if (pid > 0) ::_exit(0);
  if (::setsid() < 0) return errno_error("setsid", "", errno);
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
    return errno_error("prctl", "PR_SET_CHILD_SUBREAPER", errno);
  auto null = open_file("/dev/null", O_RDWR);
  if (!null) return null.take_error();
  for (int k = 0; k < 3; ++k)
    if (::dup2(null->get(), k) < 0) return errno_error("dup2", "/dev/null", errno);
  ::umask(022);
  if (::mkdir(opts.state_dir.c_str(), 0700) != 0 && errno != EEXIST)
    return errno_error("mkdir", opts.state_dir, errno);
  if (::chdir(opts.state_dir.c_str()) != 0) return errno_error("chdir", opts.state_dir, errno);
  // Two shims in one directory would steal each other's sockets.
  if (unix_socket_alive(std::string{shim_protocol::control_socket}))
    return error{"a shim is already running in " + opts.state_dir};
  open_diag(std::string{shim_protocol::shim_log_file}.c_str());
  auto pid_text = std::to_string(::getpid()) + "\n";
  if (auto st = write_file_atomic(std::string{shim_protocol::shim_pid_file}, pid_text, 0644); !st)
    return st;
  return {};
}

void report(int& sync_fd, std::string_view line) {
  if (sync_fd < 0) return;
  std::string text{line};
  for (auto& c : text)
    if (c == '\n' || c == '\r') c = ' '; // one line, whatever the runtime said
  text += '\n';
  [[maybe_unused]] auto st = write_all(sync_fd, text); // the daemon may be gone: nothing to do
  ::close(sync_fd);
  sync_fd = -1;
}

} // namespace berth::shim
