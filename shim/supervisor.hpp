// The per-container supervisor: creates the container through the runtime, then serves its
// stdio, the log, attach clients and control commands until the container has exited.
#pragma once

#include <cstdint>
#include <memory>
#include <poll.h>
#include <string>
#include <sys/types.h>
#include <vector>

#include "shim/attach.hpp"
#include "shim/control.hpp"
#include "shim/exec_process.hpp"
#include "shim/io.hpp"
#include "shim/json_log.hpp"
#include "shim/options.hpp"
#include "shim/result.hpp"
#include "shim/runtime_cli.hpp"

namespace berth::shim {

/// One control connection: a command line in, one reply line out.
struct control_conn {
  fd sock;
  std::string in;
  std::string out;
  size_t sent = 0;
  int64_t deadline_ms = 0;   ///< for the command line to arrive (0 once it has)
  bool waiting = false;      ///< "wait": answered at exit
  bool starting = false;     ///< "start": answered when the runtime's start returns
  std::string exec_starting; ///< "exec-start <id>": answered when the runtime's exec returns
  std::string exec_waiting;  ///< "wait-exec <id>": answered when the exec's exit is recorded
  bool closed = false;
};

/// Runs in the daemonized shim process, with the state directory as working directory.
class supervisor {
 public:
  explicit supervisor(options opts);
  ~supervisor();
  supervisor(const supervisor&) = delete;
  supervisor& operator=(const supervisor&) = delete;

  /// Signals, log and sockets: everything before the runtime runs.
  [[nodiscard]] status prepare();

  /// `runtime create`: sets up the container's stdio and returns the container's pid, or the
  /// runtime's error message.
  [[nodiscard]] result<pid_t> create();

  /// After a failed `create`: `runtime delete --force` and the sockets removed.
  void abandon();

  /// Serves the container until it has exited and everything is flushed; returns the shim's
  /// exit code.
  [[nodiscard]] int run();

 private:
  enum class phase { created, running, exited };
  enum class source : uint8_t {
    signals,
    control_listener,
    attach_listener,
    out_pipe,
    err_pipe,
    master,
    stdin_pipe,
    conn,
    client,
    exec_listener,
    exec_out,
    exec_err,
    exec_master,
    exec_stdin,
    exec_client
  };

  [[nodiscard]] status give_pipes_to_user(int in, int out, int err) const;

  // Event loop steps (supervisor.cpp).
  void build_poll_set();
  [[nodiscard]] int poll_timeout_ms() const;
  void handle_signals();
  void reap();
  void on_init_exit(int wstatus);
  void on_start_done(int wstatus);
  [[nodiscard]] bool outputs_done() const;
  void finish();
  void final_flush(int64_t deadline_ms);

  // Container output and input (container_io.cpp).
  void read_output(fd& source_fd, output_stream stream);
  void fan_out(output_stream stream, std::string_view data);
  void write_stdin();
  void request_close_stdin();
  void close_stdin_now();
  [[nodiscard]] int stdin_target() const;

  // Connections (connections.cpp).
  void accept_controls();
  void accept_clients();
  void serve_conn(control_conn& conn, short revents);
  void dispatch(control_conn& conn, std::string_view line);
  void reply(control_conn& conn, std::string_view line);
  void write_reply(control_conn& conn);
  void serve_client(attach_client& client, short revents);
  void drop_closed();

  // Exec processes (exec_io.cpp). Exec clients are indexed as (exec << 16) | client.
  [[nodiscard]] exec_process* find_exec(std::string_view id);
  void exec_prepare(control_conn& conn, const control_command& command);
  void exec_start(control_conn& conn, exec_process& exec);
  void exec_wait(control_conn& conn, const std::string& id);
  void exec_kill(control_conn& conn, const std::string& id, int signal);
  [[nodiscard]] bool reap_exec(pid_t pid, int wstatus);
  void on_exec_runtime_done(exec_process& exec, int wstatus);
  void on_exec_exit(exec_process& exec, int wstatus);
  void exec_failed(exec_process& exec, const std::string& message);
  void exec_read_output(exec_process& exec, fd& source_fd, output_stream stream);
  void exec_write_stdin(exec_process& exec);
  void exec_close_stdin(exec_process& exec);
  void accept_exec_clients(exec_process& exec);
  void serve_exec_client(exec_process& exec, attach_client& client, short revents);
  void add_exec_poll_entries();
  void handle_exec_event(source kind, size_t index, short revents);
  void settle_execs();
  void finalize_exec(exec_process& exec);
  [[nodiscard]] bool execs_settled() const;
  void answer_exec_starters(const std::string& id, const std::string& line);

  options opts_;
  runtime_cli runtime_;
  fd signals_;
  fd control_listener_;
  fd attach_listener_;
  fd console_listener_;
  fd out_pipe_;   ///< container stdout (read end), no TTY
  fd err_pipe_;   ///< container stderr (read end), no TTY
  fd stdin_pipe_; ///< container stdin (write end), no TTY with --stdin
  fd master_;     ///< pty master, TTY
  json_log log_;
  std::vector<std::unique_ptr<control_conn>> conns_;
  std::vector<std::unique_ptr<attach_client>> clients_;
  std::vector<std::unique_ptr<exec_process>> execs_;
  /// Children reaped before we knew them as an exec (it exited before `runtime exec` returned).
  std::vector<std::pair<pid_t, int>> early_exits_;

  phase phase_ = phase::created;
  pid_t init_pid_ = 0;
  pid_t start_pid_ = 0;
  off_t start_log_offset_ = 0;
  int exit_code_ = 0;
  int64_t finished_at_ = 0;
  int64_t drain_deadline_ms_ = 0;
  std::string oom_counter_;
  std::string exit_json_; ///< set once exit.json is written

  std::string stdin_buffer_;
  bool stdin_close_pending_ = false;
  bool stdin_closed_ = false;
  uint64_t dropped_clients_drops_ = 0; ///< drops of clients already gone

  std::vector<pollfd> poll_set_;
  std::vector<std::pair<source, size_t>> poll_sources_;
};

} // namespace berth::shim
