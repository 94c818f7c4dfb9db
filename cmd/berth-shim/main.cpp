// berth-shim: the per-container supervisor process (see shim/supervisor.hpp and
// runtime/shim_protocol.hpp).
#include <fcntl.h>
#include <malloc.h>
#include <string>
#include <unistd.h>
#include <vector>

#include "shim/daemonize.hpp"
#include "shim/diag.hpp"
#include "shim/options.hpp"
#include "shim/supervisor.hpp"

using namespace berth::shim;

int main(int argc, char** argv) {
  // Buffers above 64 KiB (a burst for a slow client) go back to the system when freed instead of
  // staying in the heap: the shim's footprint returns to its baseline after a burst.
  ::mallopt(M_MMAP_THRESHOLD, 64 * 1024);
  ::mallopt(M_TRIM_THRESHOLD, 128 * 1024);
  std::vector<std::string> args(argv + 1, argv + argc);
  // `berth-shim --version` is also what the daemon's runtime probe runs inside a test container
  // (the binary is static, so it runs in an otherwise empty root filesystem).
  if (args.size() == 1 && args[0] == "--version") {
    static constexpr char version[] = "berth-shim\n";
    [[maybe_unused]] auto n = ::write(1, version, sizeof version - 1);
    return 0;
  }
  int sync_fd = find_sync_fd(args);
  // The sync pipe is the one descriptor the shim inherits; the container must not.
  if (sync_fd >= 0 && ::fcntl(sync_fd, F_SETFD, FD_CLOEXEC) != 0) sync_fd = -1;
  auto opts = parse_options(args);
  if (!opts) {
    if (sync_fd < 0) {
      std::string line = "berth-shim: " + opts.message() + "\n";
      [[maybe_unused]] auto n = ::write(2, line.data(), line.size());
    }
    report(sync_fd, "error " + opts.message());
    return 2;
  }
  if (auto st = daemonize(*opts); !st) {
    report(sync_fd, "error " + st.message());
    return 1;
  }
  supervisor shim{std::move(*opts)};
  if (auto st = shim.prepare(); !st) {
    diag("prepare: " + st.message());
    shim.abandon();
    report(sync_fd, "error " + st.message());
    return 1;
  }
  auto pid = shim.create();
  if (!pid) {
    diag("create: " + pid.message());
    shim.abandon();
    report(sync_fd, "error " + pid.message());
    return 1;
  }
  report(sync_fd, "created " + std::to_string(*pid));
  return shim.run();
}
