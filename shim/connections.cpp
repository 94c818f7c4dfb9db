// The supervisor's connections: control commands (control.sock) and attach clients
// (attach.sock). All non-blocking, all bounded.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

#include "shim/clock.hpp"
#include "shim/console.hpp"
#include "shim/control.hpp"
#include "shim/diag.hpp"
#include "shim/supervisor.hpp"

namespace berth::shim {

namespace {

constexpr size_t max_conns = 128;
constexpr size_t max_clients = 64;
constexpr size_t max_command = 1024;
/// How long a control client may take to send its command line.
constexpr int64_t command_timeout_ms = 10'000;

} // namespace

void supervisor::accept_controls() {
  for (int k = 0; k < 16; ++k) {
    if (!control_listener_) return;
    fd sock = accept_nonblocking(control_listener_.get());
    if (!sock) return;
    if (conns_.size() >= max_conns) continue; // refused: closed at once
    auto conn = std::make_unique<control_conn>();
    conn->sock = std::move(sock);
    conn->deadline_ms = monotonic_ms() + command_timeout_ms;
    conns_.push_back(std::move(conn));
  }
}

void supervisor::accept_clients() {
  for (int k = 0; k < 16; ++k) {
    fd sock = accept_nonblocking(attach_listener_.get());
    if (!sock) return;
    if (clients_.size() >= max_clients) continue;
    clients_.push_back(std::make_unique<attach_client>(std::move(sock)));
  }
}

void supervisor::serve_conn(control_conn& conn, short revents) {
  if (conn.closed) return;
  if (conn.deadline_ms != 0 && (revents & (POLLIN | POLLHUP | POLLERR))) {
    char buf[512];
    auto n = ::read(conn.sock.get(), buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
      conn.closed = true;
      return;
    }
    conn.in.append(buf, static_cast<size_t>(n));
    auto nl = conn.in.find('\n');
    if (nl == std::string::npos) {
      if (conn.in.size() > max_command) conn.closed = true;
      return;
    }
    conn.deadline_ms = 0;
    std::string line = conn.in.substr(0, nl);
    conn.in.clear();
    dispatch(conn, line);
    return;
  }
  if (revents & POLLOUT) write_reply(conn);
  // A waiter that went away: nothing to answer any more.
  if ((revents & (POLLHUP | POLLERR)) && conn.sent >= conn.out.size()) conn.closed = true;
}

void supervisor::dispatch(control_conn& conn, std::string_view line) {
  auto command = parse_control_command(line);
  if (!command) {
    reply(conn, "error invalid unknown or malformed command: " + std::string{line.substr(0, 64)});
    return;
  }
  bool alive = phase_ != phase::exited; // the init is not reaped: its pid is still ours
  switch (command->kind) {
  case control_command::start:
    if (phase_ == phase::exited) return reply(conn, "error conflict container has exited");
    if (phase_ == phase::running) return reply(conn, "error conflict container already started");
    if (start_pid_ == 0) {
      start_log_offset_ = runtime_.log_offset();
      auto pid = runtime_.spawn(runtime_.start_args(), -1, -1, -1);
      if (!pid) return reply(conn, "error system " + pid.message());
      start_pid_ = *pid;
    }
    conn.starting = true; // answered in on_start_done
    return;
  case control_command::kill:
    if (!alive) return reply(conn, "error conflict container is not running");
    if (::kill(init_pid_, command->signal) != 0)
      return reply(conn, "error system kill: " + errno_text(errno));
    return reply(conn, "ok");
  case control_command::resize:
    if (master_) {
      if (auto st = resize_console(master_.get(), command->rows, command->cols); !st)
        return reply(conn, "error system " + st.message());
    }
    return reply(conn, "ok"); // without a TTY there is nothing to resize (as containerd)
  case control_command::close_stdin:
    request_close_stdin();
    return reply(conn, "ok");
  case control_command::state:
    if (!exit_json_.empty()) return reply(conn, "ok exited " + exit_json_);
    return reply(conn, std::string{phase_ == phase::created ? "ok created " : "ok running "} +
                           std::to_string(init_pid_));
  case control_command::wait:
    if (!exit_json_.empty()) return reply(conn, "ok " + exit_json_);
    conn.waiting = true; // answered in finish
    return;
  case control_command::exec_prepare:
    return exec_prepare(conn, *command);
  case control_command::exec_start: {
    auto* exec = find_exec(command->exec_id);
    if (exec == nullptr) return reply(conn, "error conflict no such exec: " + command->exec_id);
    return exec_start(conn, *exec);
  }
  case control_command::exec_wait:
    return exec_wait(conn, command->exec_id);
  case control_command::exec_resize: {
    auto* exec = find_exec(command->exec_id);
    if (exec == nullptr) return reply(conn, "error conflict no such exec: " + command->exec_id);
    if (exec->master)
      if (auto st = resize_console(exec->master.get(), command->rows, command->cols); !st)
        return reply(conn, "error system " + st.message());
    return reply(conn, "ok");
  }
  case control_command::exec_kill:
    return exec_kill(conn, command->exec_id, command->signal);
  case control_command::stats: {
    uint64_t drops = dropped_clients_drops_;
    for (auto& client : clients_)
      drops += client->drops();
    return reply(conn, "ok drops=" + std::to_string(drops) +
                           " log_bytes=" + std::to_string(log_.bytes_written()) +
                           " log_errors=" + std::to_string(log_.errors()) +
                           " clients=" + std::to_string(clients_.size()));
  }
  }
}

void supervisor::reply(control_conn& conn, std::string_view line) {
  auto start = conn.out.size();
  conn.out.append(line);
  for (size_t i = start; i < conn.out.size(); ++i)
    if (conn.out[i] == '\n' || conn.out[i] == '\r') conn.out[i] = ' '; // one line per reply
  conn.out += '\n';
  write_reply(conn);
}

void supervisor::write_reply(control_conn& conn) {
  while (conn.sent < conn.out.size()) {
    auto n = ::send(conn.sock.get(), conn.out.data() + conn.sent, conn.out.size() - conn.sent,
                    MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n < 0) break;
    conn.sent += static_cast<size_t>(n);
  }
  conn.closed = true; // one reply per connection
}

void supervisor::serve_client(attach_client& client, short revents) {
  if (client.closed()) return;
  if (!client.has_header()) {
    if (!client.read_header(stdin_buffer_)) {
      client.close();
      return;
    }
    if (!client.has_header()) return;
    if (stdin_closed_) stdin_buffer_.clear();
  }
  if ((revents & (POLLIN | POLLHUP | POLLERR)) && !client.input_closed()) {
    // After a hang-up, read what is left at once: poll would report the hang-up forever.
    bool hung_up = (revents & (POLLHUP | POLLERR)) != 0;
    bool ended = false;
    for (int k = 0; k < (hung_up ? 64 : 1) && !ended; ++k) {
      size_t room = attach_client::max_buffered > stdin_buffer_.size()
                        ? attach_client::max_buffered - stdin_buffer_.size()
                        : 0;
      if (room == 0) break;
      ended = !client.read_input(stdin_buffer_, room);
    }
    if (hung_up && !ended) {
      client.mark_input_closed(); // the rest does not fit: dropped
      ended = true;
    }
    // The client's input ended (it half-closed or left): with StdinOnce, so does the container's.
    if (ended && opts_.stdin_once && client.request().want_stdin) request_close_stdin();
    if (stdin_closed_) stdin_buffer_.clear(); // nobody to give it to
  }
  if ((revents & POLLOUT) && !client.write_pending()) {
    client.close();
    return;
  }
  // Gone entirely (not just half-closed): nothing more to send it.
  if (revents & (POLLHUP | POLLERR)) client.close();
}

void supervisor::drop_closed() {
  std::erase_if(conns_, [](const auto& conn) { return conn->closed; });
  std::erase_if(clients_, [this](const auto& client) {
    if (!client->closed()) return false;
    dropped_clients_drops_ += client->drops();
    return true;
  });
}

} // namespace berth::shim
