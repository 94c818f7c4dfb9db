// The TTY of a container: receiving the pty master the runtime sends over --console-socket.
#pragma once

#include "shim/io.hpp"
#include "shim/result.hpp"

namespace berth::shim {

/// Accepts the runtime's connection on `listener` (non-blocking: it has connected and sent the
/// descriptor by the time `create` returns) and receives the pty master through SCM_RIGHTS.
/// The master comes back close-on-exec and non-blocking.
[[nodiscard]] result<fd> receive_console(int listener);

/// Sets the window size of the pty (TIOCSWINSZ).
[[nodiscard]] status resize_console(int master, int rows, int cols);

} // namespace berth::shim
