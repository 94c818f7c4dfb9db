// The supervisor's exec processes (docker exec): `runtime exec -d` with pipes or a pty, the
// process reaped by the shim (a subreaper), its stdio served on exec-<id>.sock, its exit written
// to exec-<id>.json before its clients are closed. Nothing here blocks the container.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "shim/clock.hpp"
#include "shim/console.hpp"
#include "shim/diag.hpp"
#include "shim/json_text.hpp"
#include "shim/supervisor.hpp"

namespace berth::shim {

namespace {

constexpr size_t max_execs = 256;
constexpr size_t max_exec_clients = 8;
/// How long an exec's output may keep coming after it exited (its children holding the pipes).
constexpr int64_t exec_drain_ms = 2000;
/// How long an exec's clients may take to read its last output.
constexpr int64_t exec_close_ms = 2000;
constexpr size_t exec_read_budget = 256 * 1024;

size_t client_index(size_t exec, size_t client) {
  return (exec << 16) | client;
}

} // namespace

exec_process* supervisor::find_exec(std::string_view id) {
  for (auto& exec : execs_)
    if (exec->id == id) return exec.get();
  return nullptr;
}

void supervisor::exec_prepare(control_conn& conn, const control_command& command) {
  if (phase_ != phase::running) return reply(conn, "error conflict container is not running");
  if (find_exec(command.exec_id) != nullptr)
    return reply(conn, "error conflict exec " + command.exec_id + " exists");
  if (execs_.size() >= max_execs) return reply(conn, "error conflict too many exec processes");
  auto exec = std::make_unique<exec_process>();
  exec->id = command.exec_id;
  exec->tty = command.tty;
  exec->open_stdin = command.open_stdin;
  ::unlink(exec_exit_name(exec->id).c_str());
  auto listener = listen_unix(exec_socket_name(exec->id));
  if (!listener) return reply(conn, "error system " + listener.message());
  exec->listener = std::move(*listener);
  execs_.push_back(std::move(exec));
  reply(conn, "ok");
}

void supervisor::exec_start(control_conn& conn, exec_process& exec) {
  if (exec.state != exec_process::phase::prepared) {
    if (exec.state == exec_process::phase::starting) {
      conn.exec_starting = exec.id;
      return;
    }
    return reply(conn, "error conflict exec " + exec.id + " has already started");
  }
  if (phase_ != phase::running) return reply(conn, "error conflict container is not running");
  pipe_pair out_pipe;
  pipe_pair err_pipe;
  pipe_pair in_pipe;
  std::string console_path;
  if (exec.tty) {
    auto listener = listen_unix(exec_console_name(exec.id));
    if (!listener) return reply(conn, "error system " + listener.message());
    exec.console_listener = std::move(*listener);
    console_path = opts_.state_dir + "/" + exec_console_name(exec.id);
    if (console_path.size() >= 108)
      console_path = "/proc/" + std::to_string(::getpid()) + "/cwd/" + exec_console_name(exec.id);
  } else {
    for (auto* p : {&out_pipe, &err_pipe}) {
      auto made = make_pipe();
      if (!made) return reply(conn, "error system " + made.message());
      *p = std::move(*made);
    }
    if (exec.open_stdin) {
      auto made = make_pipe();
      if (!made) return reply(conn, "error system " + made.message());
      in_pipe = std::move(*made);
    }
  }
  exec.log_offset = runtime_.log_offset();
  ::unlink(exec_pid_name(exec.id).c_str());
  auto pid = runtime_.spawn(
      runtime_.exec_args(opts_.state_dir + "/" + exec_process_name(exec.id),
                         opts_.state_dir + "/" + exec_pid_name(exec.id), console_path),
      in_pipe.read_end.get(), out_pipe.write_end.get(), err_pipe.write_end.get());
  if (!pid) return reply(conn, "error system " + pid.message());
  exec.runtime_pid = *pid;
  exec.state = exec_process::phase::starting;
  exec.out = std::move(out_pipe.read_end);
  exec.err = std::move(err_pipe.read_end);
  exec.in = std::move(in_pipe.write_end);
  for (auto* f : {&exec.out, &exec.err, &exec.in})
    if (*f) (void)set_nonblocking(f->get());
  if (!exec.open_stdin) exec.stdin_closed = true;
  conn.exec_starting = exec.id; // answered in on_exec_runtime_done
}

void supervisor::exec_wait(control_conn& conn, const std::string& id) {
  if (auto* exec = find_exec(id); exec != nullptr) {
    if (!exec->exit_json.empty()) return reply(conn, "ok " + exec->exit_json);
    conn.exec_waiting = id;
    return;
  }
  auto recorded = read_file(exec_exit_name(id), 4096);
  if (!recorded) return reply(conn, "error conflict no such exec: " + id);
  std::string text = *recorded;
  while (!text.empty() && text.back() == '\n')
    text.pop_back();
  reply(conn, "ok " + text);
}

void supervisor::exec_kill(control_conn& conn, const std::string& id, int signal) {
  auto* exec = find_exec(id);
  if (exec == nullptr) return reply(conn, "error conflict no such exec: " + id);
  switch (exec->state) {
  case exec_process::phase::prepared:
    // Never started (whoever prepared it gave up): discarded as if killed, so that it no longer
    // listens on its socket nor holds one of the max_execs places until the container exits.
    exec->exit_code = 128 + signal;
    exec->finished_at = realtime_ns();
    finalize_exec(*exec);
    return reply(conn, "ok");
  case exec_process::phase::starting:
    return reply(conn, "error conflict exec " + id + " is not running");
  case exec_process::phase::running:
    // Not reaped yet: the pid is still this process's.
    if (::kill(exec->pid, signal) != 0 && errno != ESRCH)
      return reply(conn, "error system kill: " + errno_text(errno));
    return reply(conn, "ok");
  case exec_process::phase::exited:
  case exec_process::phase::done:
    return reply(conn, "ok");
  }
}

bool supervisor::reap_exec(pid_t pid, int wstatus) {
  for (auto& exec : execs_) {
    if (pid == exec->runtime_pid) {
      on_exec_runtime_done(*exec, wstatus);
      return true;
    }
    if (pid == exec->pid && exec->state == exec_process::phase::running) {
      on_exec_exit(*exec, wstatus);
      return true;
    }
  }
  return false;
}

void supervisor::on_exec_runtime_done(exec_process& exec, int wstatus) {
  exec.runtime_pid = 0;
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    auto message = runtime_.failure_message(exec.log_offset, "",
                                            "exec failed: " + describe_wait_status(wstatus));
    return exec_failed(exec, message);
  }
  auto pid_text = read_file(exec_pid_name(exec.id), 64);
  long long pid = 0;
  if (!pid_text || !parse_int(*pid_text, 1, INT32_MAX, pid))
    return exec_failed(exec, "the runtime wrote no usable " + exec_pid_name(exec.id));
  exec.pid = static_cast<pid_t>(pid);
  if (exec.tty) {
    auto master = receive_console(exec.console_listener.get());
    exec.console_listener.reset();
    ::unlink(exec_console_name(exec.id).c_str());
    if (!master) {
      ::kill(exec.pid, SIGKILL);
      return exec_failed(exec, master.message());
    }
    exec.master = std::move(*master);
  }
  exec.state = exec_process::phase::running;
  diag("exec " + exec.id + " pid " + std::to_string(exec.pid));
  answer_exec_starters(exec.id, "ok " + std::to_string(exec.pid));
  // It may have ended before `runtime exec` returned: then it was reaped as a stranger.
  auto early = std::find_if(early_exits_.begin(), early_exits_.end(),
                            [&](const auto& e) { return e.first == exec.pid; });
  if (early != early_exits_.end()) {
    int status = early->second;
    early_exits_.erase(early);
    on_exec_exit(exec, status);
  }
}

void supervisor::exec_failed(exec_process& exec, const std::string& message) {
  diag("exec " + exec.id + ": " + message);
  // Whatever the runtime itself printed on the exec's stdio is not the process's output.
  for (auto* f : {&exec.out, &exec.err, &exec.in, &exec.master, &exec.console_listener})
    f->reset();
  ::unlink(exec_console_name(exec.id).c_str());
  exec.stdin_closed = true;
  exec.exit_code = exec_start_failure_code(message);
  exec.finished_at = realtime_ns();
  exec.state = exec_process::phase::exited;
  // As dockerd: the client reads the error on its stream, then the exit code from inspect.
  std::string text = "OCI runtime exec failed: " + message + ": unknown\r\n";
  for (auto& client : exec.clients)
    if (!client->closed()) client->send(output_stream::out, text, exec.tty);
  answer_exec_starters(exec.id, "error system " + message);
}

void supervisor::on_exec_exit(exec_process& exec, int wstatus) {
  exec.exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  exec.finished_at = realtime_ns();
  exec.state = exec_process::phase::exited;
  exec.drain_deadline_ms = monotonic_ms() + exec_drain_ms;
  exec.stdin_buffer.clear();
  exec.in.reset();
  exec.stdin_closed = true;
  diag("exec " + exec.id + " exited: " + describe_wait_status(wstatus));
}

void supervisor::answer_exec_starters(const std::string& id, const std::string& line) {
  for (auto& conn : conns_)
    if (conn->exec_starting == id) {
      conn->exec_starting.clear();
      reply(*conn, line);
    }
}

void supervisor::exec_read_output(exec_process& exec, fd& source_fd, output_stream stream) {
  static char buf[32 * 1024];
  size_t total = 0;
  while (source_fd && total < exec_read_budget) {
    auto n = ::read(source_fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
      source_fd.reset();
      return;
    }
    total += static_cast<size_t>(n);
    std::string_view data{buf, static_cast<size_t>(n)};
    for (auto& client : exec.clients) {
      if (client->closed()) continue;
      client->send(stream, data, exec.tty);
      if (client->has_pending() && !client->write_pending()) client->close();
    }
  }
}

void supervisor::exec_write_stdin(exec_process& exec) {
  // Kept until the process runs (a TTY's master arrives only then).
  if (exec.state == exec_process::phase::prepared || exec.state == exec_process::phase::starting)
    return;
  int target = exec.stdin_target();
  if (target < 0 || exec.state != exec_process::phase::running) {
    exec.stdin_buffer.clear();
    return;
  }
  size_t written = 0;
  while (written < exec.stdin_buffer.size()) {
    auto n =
        ::write(target, exec.stdin_buffer.data() + written, exec.stdin_buffer.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n < 0) {
      exec.stdin_buffer.clear();
      written = 0;
      exec.stdin_close_pending = true;
      break;
    }
    written += static_cast<size_t>(n);
  }
  exec.stdin_buffer.erase(0, written);
  if (exec.stdin_buffer.empty() && exec.stdin_close_pending) exec_close_stdin(exec);
}

void supervisor::exec_close_stdin(exec_process& exec) {
  if (exec.stdin_closed) return;
  if (!exec.stdin_buffer.empty() || exec.state == exec_process::phase::starting) {
    exec.stdin_close_pending = true; // after what is queued, once the process runs
    return;
  }
  exec.stdin_closed = true;
  exec.stdin_close_pending = false;
  if (exec.tty) {
    if (exec.master) {
      char eof = 4;
      termios tio{};
      if (::tcgetattr(exec.master.get(), &tio) == 0 && tio.c_cc[VEOF] != 0)
        eof = static_cast<char>(tio.c_cc[VEOF]);
      [[maybe_unused]] auto n = ::write(exec.master.get(), &eof, 1);
    }
  } else {
    exec.in.reset();
  }
}

void supervisor::accept_exec_clients(exec_process& exec) {
  for (int k = 0; k < 4; ++k) {
    if (!exec.listener) return;
    fd sock = accept_nonblocking(exec.listener.get());
    if (!sock) return;
    if (exec.clients.size() >= max_exec_clients) continue;
    exec.clients.push_back(std::make_unique<attach_client>(std::move(sock)));
  }
}

void supervisor::serve_exec_client(exec_process& exec, attach_client& client, short revents) {
  if (client.closed()) return;
  if (!client.has_header()) {
    if (!client.read_header(exec.stdin_buffer)) {
      client.close();
      return;
    }
    if (!client.has_header()) return;
    if (exec.stdin_closed) exec.stdin_buffer.clear();
  }
  if ((revents & (POLLIN | POLLHUP | POLLERR)) && !client.input_closed()) {
    bool hung_up = (revents & (POLLHUP | POLLERR)) != 0;
    bool ended = false;
    for (int k = 0; k < (hung_up ? 64 : 1) && !ended; ++k) {
      size_t room = attach_client::max_buffered > exec.stdin_buffer.size()
                        ? attach_client::max_buffered - exec.stdin_buffer.size()
                        : 0;
      if (room == 0) break;
      ended = !client.read_input(exec.stdin_buffer, room);
    }
    if (hung_up && !ended) {
      client.mark_input_closed();
      ended = true;
    }
    // An exec's stdin is the client's: when the client's input ends, so does the process's.
    if (ended && client.request().want_stdin) exec_close_stdin(exec);
    if (exec.stdin_closed) exec.stdin_buffer.clear();
  }
  if ((revents & POLLOUT) && !client.write_pending()) {
    client.close();
    return;
  }
  if (revents & (POLLHUP | POLLERR)) client.close();
}

void supervisor::add_exec_poll_entries() {
  auto add = [this](int raw, short events, source kind, size_t index) {
    poll_set_.push_back(pollfd{raw, events, 0});
    poll_sources_.emplace_back(kind, index);
  };
  for (size_t e = 0; e < execs_.size(); ++e) {
    auto& exec = *execs_[e];
    if (exec.listener) add(exec.listener.get(), POLLIN, source::exec_listener, e);
    // Output is read once the runtime has returned: what it printed itself is not the process's.
    bool reading =
        exec.state == exec_process::phase::running || exec.state == exec_process::phase::exited;
    bool stdin_waiting = !exec.stdin_buffer.empty() && reading;
    if (reading && exec.out) add(exec.out.get(), POLLIN, source::exec_out, e);
    if (reading && exec.err) add(exec.err.get(), POLLIN, source::exec_err, e);
    if (reading && exec.master)
      add(exec.master.get(), static_cast<short>(POLLIN | (stdin_waiting ? POLLOUT : 0)),
          source::exec_master, e);
    if (exec.in && stdin_waiting) add(exec.in.get(), POLLOUT, source::exec_stdin, e);
    bool stdin_full = exec.stdin_buffer.size() >= attach_client::max_buffered;
    for (size_t c = 0; c < exec.clients.size() && c < 0xFFFF; ++c) {
      auto& client = *exec.clients[c];
      if (client.closed()) continue;
      short events = 0;
      if (!client.has_header() || (!client.input_closed() && !stdin_full)) events |= POLLIN;
      if (client.has_pending()) events |= POLLOUT;
      add(client.socket(), events, source::exec_client, client_index(e, c));
    }
  }
}

void supervisor::handle_exec_event(source kind, size_t index, short revents) {
  size_t e = kind == source::exec_client ? index >> 16 : index;
  if (e >= execs_.size()) return;
  auto& exec = *execs_[e];
  switch (kind) {
  case source::exec_listener:
    accept_exec_clients(exec);
    break;
  case source::exec_out:
    exec_read_output(exec, exec.out, output_stream::out);
    break;
  case source::exec_err:
    exec_read_output(exec, exec.err, output_stream::err);
    break;
  case source::exec_master:
    exec_read_output(exec, exec.master, output_stream::out);
    break;
  case source::exec_client: {
    size_t c = index & 0xFFFF;
    if (c < exec.clients.size()) serve_exec_client(exec, *exec.clients[c], revents);
    break;
  }
  default:
    break;
  }
}

void supervisor::settle_execs() {
  int64_t now = monotonic_ms();
  for (auto& exec_ptr : execs_) {
    auto& exec = *exec_ptr;
    exec_write_stdin(exec);
    if (exec.state == exec_process::phase::exited &&
        (!exec.outputs_open() || now >= exec.drain_deadline_ms))
      finalize_exec(exec);
    if (exec.state == exec_process::phase::done) {
      for (auto& client : exec.clients)
        if (!client->closed() && (!client->has_pending() || now >= exec.close_deadline_ms))
          client->close();
    }
    std::erase_if(exec.clients, [](const auto& client) { return client->closed(); });
  }
  std::erase_if(execs_, [](const auto& exec) {
    return exec->state == exec_process::phase::done && exec->clients.empty();
  });
}

void supervisor::finalize_exec(exec_process& exec) {
  for (auto* f : {&exec.out, &exec.err, &exec.master, &exec.in})
    f->reset();
  exec.exit_json = format_exit_json(exec.exit_code, false, exec.finished_at, exec.pid);
  // Recorded before the clients hear the end of the stream: the CLI asks for the exit code then.
  if (auto st = write_file_atomic(exec_exit_name(exec.id), exec.exit_json + "\n", 0644); !st)
    diag("exec exit file: " + st.message());
  exec.listener.reset();
  for (const auto& name : {exec_socket_name(exec.id), exec_pid_name(exec.id),
                           exec_process_name(exec.id), exec_console_name(exec.id)})
    ::unlink(name.c_str());
  for (auto& conn : conns_)
    if (conn->exec_waiting == exec.id) {
      conn->exec_waiting.clear();
      reply(*conn, "ok " + exec.exit_json);
    }
  exec.state = exec_process::phase::done;
  exec.close_deadline_ms = monotonic_ms() + exec_close_ms;
  for (auto& client : exec.clients)
    if (!client->closed() && client->has_pending() && !client->write_pending()) client->close();
}

bool supervisor::execs_settled() const {
  return std::all_of(execs_.begin(), execs_.end(), [](const auto& exec) {
    return exec->state == exec_process::phase::done || exec->state == exec_process::phase::prepared;
  });
}

} // namespace berth::shim
