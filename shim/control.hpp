// Control commands (one line per connection on control.sock, see runtime/shim_protocol.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace berth::shim {

/// One parsed command line.
struct control_command {
  enum kind_t {
    start,
    kill,
    resize,
    close_stdin,
    state,
    wait,
    stats,
    exec_prepare, ///< exec <id> <tty> <stdin>
    exec_start,   ///< exec-start <id>
    exec_wait,    ///< wait-exec <id>
    exec_resize,  ///< resize-exec <id> <rows> <cols>
    exec_kill     ///< kill-exec <id> <signal-number>
  } kind = state;
  int signal = 0; ///< kill, exec_kill
  int rows = 0;   ///< resize, exec_resize
  int cols = 0;
  std::string exec_id; ///< exec_*
  bool tty = false;    ///< exec_prepare
  bool open_stdin = false;
};

/// Parses a command line (without its newline); nullopt when unknown or malformed.
[[nodiscard]] std::optional<control_command> parse_control_command(std::string_view line);

} // namespace berth::shim
