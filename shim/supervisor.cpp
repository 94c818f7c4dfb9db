// The per-container supervisor: creation, the event loop, and the exit.
#include "shim/supervisor.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/shim_protocol.hpp"
#include "shim/clock.hpp"
#include "shim/console.hpp"
#include "shim/diag.hpp"
#include "shim/json_text.hpp"
#include "shim/oom.hpp"

namespace berth::shim {

namespace proto = berth::shim_protocol;

namespace {

/// How long output may keep coming after the init has exited (orphans holding the pipes).
constexpr int64_t drain_timeout_ms = 2000;
/// How long attach clients and replies may take to flush at exit.
constexpr int64_t final_flush_ms = 2000;

} // namespace

supervisor::supervisor(options opts)
    : opts_(std::move(opts)),
      runtime_(opts_.runtime, opts_.runtime_args, opts_.runtime_root,
               opts_.state_dir + "/" + std::string{shim_protocol::runtime_log_file}, opts_.id) {}

supervisor::~supervisor() = default;

status supervisor::prepare() {
  sigset_t mask;
  ::sigemptyset(&mask);
  for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGHUP})
    ::sigaddset(&mask, sig);
  if (::sigprocmask(SIG_BLOCK, &mask, nullptr) != 0) return errno_error("sigprocmask", "", errno);
  ::signal(SIGPIPE, SIG_IGN);
  signals_.reset(::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!signals_) return errno_error("signalfd", "", errno);
  // Left by an earlier run of the container in this directory.
  for (auto name : {proto::exit_file, proto::init_pid_file})
    ::unlink(std::string{name}.c_str());
  if (auto st = log_.open(opts_.log_path, opts_.log_max_size, opts_.log_max_files); !st) return st;
  auto control = listen_unix(std::string{proto::control_socket});
  if (!control) return control.take_error();
  control_listener_ = std::move(*control);
  auto attach = listen_unix(std::string{proto::attach_socket});
  if (!attach) return attach.take_error();
  attach_listener_ = std::move(*attach);
  return {};
}

result<pid_t> supervisor::create() {
  std::string console_path;
  pipe_pair out_pipe;
  pipe_pair err_pipe;
  pipe_pair in_pipe;
  if (opts_.tty) {
    auto listener = listen_unix(std::string{proto::console_socket});
    if (!listener) return listener.take_error();
    console_listener_ = std::move(*listener);
    console_path = opts_.state_dir + "/" + std::string{proto::console_socket};
    if (console_path.size() >= 108) // sun_path: reach it through our working directory
      console_path =
          "/proc/" + std::to_string(::getpid()) + "/cwd/" + std::string{proto::console_socket};
  } else {
    for (auto* p : {&out_pipe, &err_pipe}) {
      auto made = make_pipe();
      if (!made) return made.take_error();
      *p = std::move(*made);
    }
    if (opts_.open_stdin) {
      auto made = make_pipe();
      if (!made) return made.take_error();
      in_pipe = std::move(*made);
    }
    if (auto st = give_pipes_to_user(in_pipe.read_end.get(), out_pipe.write_end.get(),
                                     err_pipe.write_end.get());
        !st)
      return st.take_error();
  }
  auto pid_file = opts_.state_dir + "/" + std::string{proto::init_pid_file};
  ::unlink(pid_file.c_str());
  auto offset = runtime_.log_offset();
  auto create_pid =
      runtime_.spawn(runtime_.create_args(opts_.bundle, pid_file, console_path),
                     in_pipe.read_end.get(), out_pipe.write_end.get(), err_pipe.write_end.get());
  if (!create_pid) return create_pid.take_error();
  // The container holds the other ends now; ours would keep the pipes from ever ending.
  in_pipe.read_end.reset();
  out_pipe.write_end.reset();
  err_pipe.write_end.reset();

  // Wait for `create`, still answering SIGTERM (the daemon giving up on us).
  int wstatus = 0;
  bool aborted = false;
  for (;;) {
    pollfd p{signals_.get(), POLLIN, 0};
    if (::poll(&p, 1, -1) < 0 && errno != EINTR) return errno_error("poll", "", errno);
    signalfd_siginfo info{};
    while (::read(signals_.get(), &info, sizeof info) == sizeof info) {
      if ((info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) && !aborted) {
        aborted = true;
        ::kill(*create_pid, SIGKILL);
      }
    }
    pid_t done = ::waitpid(*create_pid, &wstatus, WNOHANG);
    if (done == *create_pid) break;
    if (done < 0 && errno != EINTR) return errno_error("waitpid", opts_.runtime, errno);
  }
  if (aborted) return error{"aborted: the shim was told to stop while creating the container"};
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    std::string stderr_text;
    if (err_pipe.read_end && set_nonblocking(err_pipe.read_end.get())) {
      char buf[4096];
      ssize_t n;
      while (stderr_text.size() < 64 * 1024 &&
             (n = ::read(err_pipe.read_end.get(), buf, sizeof buf)) > 0)
        stderr_text.append(buf, static_cast<size_t>(n));
    }
    return error{runtime_.failure_message(offset, stderr_text,
                                          "create failed: " + describe_wait_status(wstatus))};
  }

  auto pid_text = read_file(pid_file, 64);
  long long pid = 0;
  if (!pid_text || !parse_int(*pid_text, 1, INT32_MAX, pid))
    return error{"the runtime wrote no usable " + pid_file};
  init_pid_ = static_cast<pid_t>(pid);

  if (opts_.tty) {
    auto master = receive_console(console_listener_.get());
    console_listener_.reset();
    ::unlink(std::string{proto::console_socket}.c_str());
    if (!master) return master.take_error();
    master_ = std::move(*master);
    if (opts_.rows > 0 && opts_.cols > 0)
      if (auto st = resize_console(master_.get(), opts_.rows, opts_.cols); !st)
        diag("resize: " + st.message());
  } else {
    out_pipe_ = std::move(out_pipe.read_end);
    err_pipe_ = std::move(err_pipe.read_end);
    stdin_pipe_ = std::move(in_pipe.write_end);
    for (auto* f : {&out_pipe_, &err_pipe_, &stdin_pipe_})
      if (*f)
        if (auto st = set_nonblocking(f->get()); !st) return st.take_error();
  }
  if (!opts_.open_stdin) stdin_closed_ = true;
  // The memory cgroup is read from /proc now, while the process surely lives.
  oom_counter_ = find_oom_counter(init_pid_, opts_.bundle);
  phase_ = phase::created;
  diag("created " + opts_.id + " pid " + std::to_string(init_pid_));
  return init_pid_;
}

status supervisor::give_pipes_to_user(int in, int out, int err) const {
  // As containerd does: the container's ends belong to its user, so a process that is not root
  // can reopen them (/dev/stdout is a link to /proc/self/fd/1).
  auto config = read_file(opts_.bundle + "/config.json", 16 << 20);
  if (!config) return {}; // the runtime will report what is wrong with the bundle
  auto uid = find_json_integer(*config, {"process", "user", "uid"}).value_or(0);
  auto gid = find_json_integer(*config, {"process", "user", "gid"}).value_or(0);
  if (uid == 0 && gid == 0) return {};
  for (int end : {in, out, err})
    if (end >= 0 && ::fchown(end, static_cast<uid_t>(uid), static_cast<gid_t>(gid)) != 0)
      return errno_error("fchown", "container stdio", errno);
  return {};
}

void supervisor::abandon() {
  if (auto st = runtime_.run(runtime_.delete_args(true)); !st)
    diag("delete --force after a failed create: " + st.message());
  // Orphans of the runtime may have been reparented to us.
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  control_listener_.reset();
  attach_listener_.reset();
  console_listener_.reset();
  for (auto name : {proto::control_socket, proto::attach_socket})
    ::unlink(std::string{name}.c_str());
  ::unlink(std::string{proto::console_socket}.c_str());
}

int supervisor::run() {
  // A child that ended while `create` ran had its SIGCHLD read there: collect it now.
  reap();
  for (;;) {
    build_poll_set();
    int n = ::poll(poll_set_.data(), poll_set_.size(), poll_timeout_ms());
    if (n < 0 && errno != EINTR) {
      diag("poll: " + errno_text(errno));
      return 1;
    }
    // Signals first, so an exit is known before the output that follows it is drained.
    for (size_t i = 0; i < poll_set_.size() && n > 0; ++i) {
      auto revents = poll_set_[i].revents;
      if (revents == 0) continue;
      auto [kind, index] = poll_sources_[i];
      switch (kind) {
      case source::signals:
        handle_signals();
        break;
      case source::out_pipe:
        read_output(out_pipe_, output_stream::out);
        break;
      case source::err_pipe:
        read_output(err_pipe_, output_stream::err);
        break;
      case source::master:
        read_output(master_, output_stream::out);
        break;
      case source::control_listener:
        accept_controls();
        break;
      case source::attach_listener:
        accept_clients();
        break;
      case source::stdin_pipe:
        break; // written below
      case source::conn:
        serve_conn(*conns_[index], revents);
        break;
      case source::client:
        serve_client(*clients_[index], revents);
        break;
      default:
        handle_exec_event(kind, index, revents);
        break;
      }
    }
    write_stdin();
    settle_execs();
    for (auto& client : clients_)
      if (client->has_pending() && !client->write_pending()) client->close();
    drop_closed();
    log_.flush();
    int64_t now = monotonic_ms();
    for (auto& conn : conns_)
      if (conn->deadline_ms != 0 && now >= conn->deadline_ms) conn->closed = true;
    if (phase_ == phase::exited && start_pid_ == 0 && outputs_done() &&
        (execs_settled() || now >= drain_deadline_ms_))
      break;
  }
  finish();
  return 0;
}

void supervisor::build_poll_set() {
  poll_set_.clear();
  poll_sources_.clear();
  auto add = [this](int raw, short events, source kind, size_t index = 0) {
    poll_set_.push_back(pollfd{raw, events, 0});
    poll_sources_.emplace_back(kind, index);
  };
  add(signals_.get(), POLLIN, source::signals);
  if (control_listener_) add(control_listener_.get(), POLLIN, source::control_listener);
  if (attach_listener_) add(attach_listener_.get(), POLLIN, source::attach_listener);
  if (out_pipe_) add(out_pipe_.get(), POLLIN, source::out_pipe);
  if (err_pipe_) add(err_pipe_.get(), POLLIN, source::err_pipe);
  bool stdin_waiting = !stdin_buffer_.empty();
  if (master_)
    add(master_.get(), static_cast<short>(POLLIN | (stdin_waiting ? POLLOUT : 0)), source::master);
  if (stdin_pipe_ && stdin_waiting) add(stdin_pipe_.get(), POLLOUT, source::stdin_pipe);
  for (size_t i = 0; i < conns_.size(); ++i) {
    auto& conn = *conns_[i];
    short events = 0;
    if (conn.deadline_ms != 0) events |= POLLIN;
    if (conn.sent < conn.out.size()) events |= POLLOUT;
    add(conn.sock.get(), events, source::conn, i);
  }
  bool stdin_full = stdin_buffer_.size() >= attach_client::max_buffered;
  for (size_t i = 0; i < clients_.size(); ++i) {
    auto& client = *clients_[i];
    short events = 0;
    if (!client.has_header() || (!client.input_closed() && !stdin_full)) events |= POLLIN;
    if (client.has_pending()) events |= POLLOUT;
    add(client.socket(), events, source::client, i);
  }
  add_exec_poll_entries();
}

int supervisor::poll_timeout_ms() const {
  int64_t now = monotonic_ms();
  int64_t next = -1;
  auto consider = [&](int64_t deadline) {
    if (deadline == 0) return;
    int64_t wait = deadline > now ? deadline - now : 0;
    if (next < 0 || wait < next) next = wait;
  };
  for (const auto& conn : conns_)
    consider(conn->deadline_ms);
  if (phase_ == phase::exited) consider(drain_deadline_ms_);
  for (const auto& exec : execs_) {
    if (exec->state == exec_process::phase::exited) consider(exec->drain_deadline_ms);
    if (exec->state == exec_process::phase::done) consider(exec->close_deadline_ms);
  }
  return next < 0 ? -1 : static_cast<int>(next + 1);
}

void supervisor::handle_signals() {
  signalfd_siginfo info{};
  bool child = false;
  while (::read(signals_.get(), &info, sizeof info) == sizeof info) {
    if (info.ssi_signo == SIGCHLD) {
      child = true;
    } else if ((info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) && phase_ != phase::exited) {
      // The shim is being stopped: the container goes with it, through the normal exit path.
      diag("signal " + std::to_string(info.ssi_signo) + ": killing the container");
      ::kill(init_pid_, SIGKILL);
    }
  }
  if (child) reap();
}

void supervisor::reap() {
  for (;;) {
    int wstatus = 0;
    pid_t pid = ::waitpid(-1, &wstatus, WNOHANG);
    if (pid <= 0) break;
    if (pid == init_pid_ && phase_ != phase::exited)
      on_init_exit(wstatus);
    else if (pid == start_pid_)
      on_start_done(wstatus);
    else if (!reap_exec(pid, wstatus)) {
      // An orphan reparented to us (we are a subreaper), or an exec that ended before its
      // `runtime exec` returned: remembered a while for the latter.
      if (early_exits_.size() >= 256) early_exits_.erase(early_exits_.begin());
      early_exits_.emplace_back(pid, wstatus);
    }
  }
}

void supervisor::on_init_exit(int wstatus) {
  exit_code_ = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  finished_at_ = realtime_ns();
  phase_ = phase::exited;
  drain_deadline_ms_ = monotonic_ms() + drain_timeout_ms;
  stdin_buffer_.clear();
  stdin_pipe_.reset();
  stdin_closed_ = true;
  diag("container exited: " + describe_wait_status(wstatus));
}

void supervisor::on_start_done(int wstatus) {
  start_pid_ = 0;
  bool ok = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
  std::string line;
  if (ok) {
    if (phase_ == phase::created) phase_ = phase::running;
    line = "ok " + std::to_string(init_pid_);
  } else {
    auto message = runtime_.failure_message(start_log_offset_, "",
                                            "start failed: " + describe_wait_status(wstatus));
    diag("start: " + message);
    line = "error system " + message;
  }
  for (auto& conn : conns_)
    if (conn->starting) {
      conn->starting = false;
      reply(*conn, line);
    }
}

bool supervisor::outputs_done() const {
  if (!out_pipe_ && !err_pipe_ && !master_) return true;
  return monotonic_ms() >= drain_deadline_ms_;
}

void supervisor::finish() {
  int64_t now = realtime_ns();
  for (auto* f : {&out_pipe_, &err_pipe_, &master_})
    if (*f) {
      diag("output still open after the container exited; closing it");
      f->reset();
    }
  log_.close_stream(output_stream::out, now);
  log_.close_stream(output_stream::err, now);
  log_.flush();
  if (log_.errors() > 0)
    diag("log: " + std::to_string(log_.errors()) + " errors, last: " + log_.last_error());
  bool oom = oom_killed(oom_counter_);
  // Deleted before anyone hears of the exit, so the daemon may reuse the ID at once.
  if (auto st = runtime_.run(runtime_.delete_args(false)); !st) {
    diag("delete: " + st.message());
    if (auto forced = runtime_.run(runtime_.delete_args(true)); !forced)
      diag("delete --force: " + forced.message());
  }
  exit_json_ = format_exit_json(exit_code_, oom, finished_at_, init_pid_);
  if (auto st = write_file_atomic(std::string{proto::exit_file}, exit_json_ + "\n", 0644); !st)
    diag("exit file: " + st.message());
  // No new connections from here on; those already queued are still answered (a "wait" that
  // raced with the exit gets the exit JSON). Later ones find no socket and read exit.json.
  for (auto name : {proto::control_socket, proto::attach_socket})
    ::unlink(std::string{name}.c_str());
  while (conns_.size() < 4 * 128) {
    auto before = conns_.size();
    accept_controls();
    if (conns_.size() == before) break;
  }
  control_listener_.reset();
  attach_listener_.reset();
  for (auto& conn : conns_)
    if (conn->waiting) reply(*conn, "ok " + exit_json_);
  // Execs die with the container (its PID namespace); any not reaped yet count as killed.
  for (auto& exec : execs_) {
    if (exec->state == exec_process::phase::done) continue;
    if (exec->state != exec_process::phase::exited) {
      exec->exit_code = 137;
      exec->finished_at = realtime_ns();
    }
    finalize_exec(*exec);
  }
  for (auto& exec : execs_)
    for (auto& client : exec->clients)
      client->close();
  execs_.clear();
  uint64_t drops = dropped_clients_drops_;
  for (auto& client : clients_)
    drops += client->drops();
  diag("exit " + exit_json_ + " drops=" + std::to_string(drops) +
       " log_bytes=" + std::to_string(log_.bytes_written()));
  final_flush(monotonic_ms() + final_flush_ms);
  conns_.clear();
  clients_.clear();
}

void supervisor::final_flush(int64_t deadline_ms) {
  for (;;) {
    drop_closed();
    poll_set_.clear();
    poll_sources_.clear();
    for (size_t i = 0; i < conns_.size(); ++i) {
      auto& conn = *conns_[i];
      short events = conn.deadline_ms != 0 ? POLLIN : 0;
      if (conn.sent < conn.out.size()) events |= POLLOUT;
      poll_set_.push_back(pollfd{conn.sock.get(), events, 0});
      poll_sources_.emplace_back(source::conn, i);
    }
    for (size_t i = 0; i < clients_.size(); ++i) {
      if (!clients_[i]->has_pending()) continue;
      poll_set_.push_back(pollfd{clients_[i]->socket(), POLLOUT, 0});
      poll_sources_.emplace_back(source::client, i);
    }
    int64_t left = deadline_ms - monotonic_ms();
    if (poll_set_.empty() || left <= 0) return;
    if (::poll(poll_set_.data(), poll_set_.size(), static_cast<int>(left)) < 0 && errno != EINTR)
      return;
    for (size_t i = 0; i < poll_set_.size(); ++i) {
      auto revents = poll_set_[i].revents;
      if (revents == 0) continue;
      auto [kind, index] = poll_sources_[i];
      if (kind == source::conn) {
        serve_conn(*conns_[index], revents);
      } else {
        auto& client = *clients_[index];
        if ((revents & (POLLHUP | POLLERR)) || !client.write_pending()) client.close();
      }
    }
  }
}

} // namespace berth::shim
