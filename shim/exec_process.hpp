// One exec process (docker exec) under the container's shim: its stdio, its clients on
// exec-<id>.sock, and its exit, recorded in exec-<id>.json before its clients are closed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "shim/attach.hpp"
#include "shim/io.hpp"

namespace berth::shim {

struct exec_process {
  enum class phase : uint8_t { prepared, starting, running, exited, done };

  std::string id;
  bool tty = false;
  bool open_stdin = false;
  phase state = phase::prepared;

  fd listener;         ///< exec-<id>.sock, until the exec is done
  fd console_listener; ///< exec-<id>-console.sock while the runtime runs (TTY)
  fd out;              ///< stdout read end (no TTY)
  fd err;              ///< stderr read end (no TTY)
  fd in;               ///< stdin write end (no TTY, with stdin)
  fd master;           ///< pty master (TTY)
  std::vector<std::unique_ptr<attach_client>> clients;

  std::string stdin_buffer;
  bool stdin_close_pending = false;
  bool stdin_closed = false;

  pid_t runtime_pid = 0; ///< `runtime exec -d` while it runs
  pid_t pid = 0;         ///< the exec'd process
  off_t log_offset = 0;
  int exit_code = 0;
  int64_t finished_at = 0;
  int64_t drain_deadline_ms = 0;
  int64_t close_deadline_ms = 0; ///< for clients to take the last output once done
  std::string exit_json;         ///< set once exec-<id>.json is written

  [[nodiscard]] bool outputs_open() const noexcept { return out || err || master; }
  [[nodiscard]] int stdin_target() const noexcept {
    if (stdin_closed) return -1;
    return tty ? master.get() : in.get();
  }
};

/// True for exec IDs the shim accepts: 1 to 64 lowercase hex digits (they name files).
[[nodiscard]] bool valid_exec_id(std::string_view id);

/// The exec's files in the shim's state directory.
[[nodiscard]] std::string exec_socket_name(std::string_view id);  ///< exec-<id>.sock
[[nodiscard]] std::string exec_process_name(std::string_view id); ///< exec-<id>.process.json
[[nodiscard]] std::string exec_pid_name(std::string_view id);     ///< exec-<id>.pid
[[nodiscard]] std::string exec_console_name(std::string_view id); ///< exec-<id>-console.sock
[[nodiscard]] std::string exec_exit_name(std::string_view id);    ///< exec-<id>.json

/// dockerd's exit code for an exec the runtime could not start: 127 when the executable is
/// missing, else 126.
[[nodiscard]] int exec_start_failure_code(std::string_view message);

} // namespace berth::shim
