// The daemon's side of berth-shim: launching it, control commands, exit files.
#include "runtime/shim_client.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/socket_path.hpp"
#include "base/sys.hpp"
#include "runtime/shim_protocol.hpp"

extern char** environ;

namespace berth::runtime {

namespace {

namespace proto = berth::shim_protocol;
using steady = std::chrono::steady_clock;

/// The descriptor number the shim finds its sync pipe on.
constexpr int sync_fd_number = 3;
/// Longest line read from the shim (sync line or reply).
constexpr size_t max_line = 64 * 1024;

/// A deadline that a huge timeout (e.g. milliseconds::max() for "wait") cannot overflow.
steady::time_point deadline_after(std::chrono::milliseconds timeout) {
  constexpr auto year = std::chrono::hours{24 * 366};
  if (timeout > year) timeout = std::chrono::duration_cast<std::chrono::milliseconds>(year);
  if (timeout.count() < 0) timeout = std::chrono::milliseconds{0};
  return steady::now() + timeout;
}

int ms_left(steady::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
  if (left.count() <= 0) return 0;
  return static_cast<int>(std::min<int64_t>(left.count(), 1 << 30));
}

/// Reads up to and excluding '\n' (or to EOF) before `deadline`. `timed_out` tells which.
caf::expected<std::string> read_line(int fd, steady::time_point deadline, bool& timed_out,
                                     const std::string& what) {
  std::string out;
  timed_out = false;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int n = ::poll(&p, 1, ms_left(deadline));
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys::error_from_errno("poll", what, errno);
    }
    if (n == 0) {
      timed_out = true;
      return out;
    }
    auto got = ::read(fd, buf, sizeof buf);
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return sys::error_from_errno("read", what, errno);
    }
    if (got == 0) return out;
    out.append(buf, static_cast<size_t>(got));
    if (auto nl = out.find('\n'); nl != std::string::npos) {
      out.resize(nl);
      return out;
    }
    if (out.size() > max_line) return make_error(errc::system, what + ": reply line too long");
  }
}

std::vector<std::string> shim_arguments(const shim_launch& l) {
  std::vector<std::string> args{l.shim_binary,  "--id",        l.id,           "--bundle",
                                l.bundle,       "--runtime",   l.runtime_path, "--runtime-root",
                                l.runtime_root, "--state-dir", l.state_dir};
  for (const auto& arg : l.runtime_args)
    args.push_back("--runtime-arg=" + arg);
  if (!l.log_path.empty()) {
    args.insert(args.end(),
                {"--log-path", l.log_path, "--log-max-size", std::to_string(l.log_max_size),
                 "--log-max-files", std::to_string(std::max(1, l.log_max_files))});
  }
  if (l.tty) {
    args.push_back("--tty");
    if (l.rows > 0 && l.cols > 0)
      args.insert(args.end(), {"--rows", std::to_string(l.rows), "--cols", std::to_string(l.cols)});
  }
  if (l.open_stdin) args.push_back("--stdin");
  if (l.open_stdin && l.stdin_once) args.push_back("--stdin-once");
  args.insert(args.end(), {"--sync-fd", std::to_string(sync_fd_number)});
  return args;
}

/// Docker's reading of a runtime's create error: the container's configuration is at fault
/// (400) when the command is missing or cannot be run, or a mount has the wrong type.
errc classify_create_error(const std::string& message) {
  std::string lower = message;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* pattern : {"executable file not found", "no such file or directory",
                              "permission denied", "not a directory"})
    if (lower.find(pattern) != std::string::npos) return errc::invalid_argument;
  return errc::system;
}

std::optional<int> read_pid_file(const std::string& path) {
  auto text = sys::read_file(path, 64);
  if (!text) return std::nullopt;
  try {
    size_t used = 0;
    int pid = std::stoi(*text, &used);
    if (pid > 0) return pid;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

/// Connects to a unix socket, also when its path is longer than sun_path allows.
caf::expected<unique_fd> connect_unix(const std::string& dir, std::string_view name,
                                      steady::time_point deadline) {
  auto path = dir + "/" + std::string{name};
  auto reachable = socket_path::make(dir, std::string{name});
  if (!reachable) return reachable.error();
  const auto& target = reachable->address();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, target.data(), target.size());
  unique_fd sock{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
  if (!sock) return sys::error_from_errno("socket", path, errno);
  for (;;) {
    if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return sock;
    if (errno == EINTR) continue;
    if (errno == EAGAIN && ms_left(deadline) > 0) { // backlog full: the shim is busy
      ::usleep(5000);
      continue;
    }
    if (errno == ENOENT || errno == ECONNREFUSED)
      return make_error(errc::unavailable, "no shim is serving " + path);
    if (errno == EAGAIN) return make_error(errc::timeout, "connect " + path + ": timed out");
    return sys::error_from_errno("connect", path, errno);
  }
}

} // namespace

caf::expected<shim_started> launch_shim(const shim_launch& launch,
                                        std::chrono::milliseconds timeout) {
  auto deadline = deadline_after(timeout);
  if (auto err = sys::make_dirs(launch.state_dir, 0700)) return err;
  auto args = shim_arguments(launch);
  std::vector<char*> argv;
  for (auto& arg : args)
    argv.push_back(arg.data());
  argv.push_back(nullptr);

  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) return sys::error_from_errno("pipe2", "", errno);
  unique_fd read_end{ends[0]};
  unique_fd write_end{ends[1]};
  if (write_end.get() < sync_fd_number) // stdio closed in this process: keep clear of 0..2
    write_end.reset(::fcntl(write_end.get(), F_DUPFD_CLOEXEC, sync_fd_number + 1));

  // The shim gets /dev/null stdin/stdout, the daemon's stderr (for a shim that cannot even
  // parse its command line), the sync pipe as fd 3 and nothing else.
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawnattr_init(&attr);
  ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  ::posix_spawn_file_actions_adddup2(&actions, write_end.get(), sync_fd_number);
  ::posix_spawn_file_actions_addclosefrom_np(&actions, sync_fd_number + 1);
  sigset_t none;
  sigset_t defaults;
  ::sigemptyset(&none);
  ::sigfillset(&defaults);
  ::sigdelset(&defaults, SIGKILL);
  ::sigdelset(&defaults, SIGSTOP);
  ::posix_spawnattr_setsigmask(&attr, &none);
  ::posix_spawnattr_setsigdefault(&attr, &defaults);
  ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t child = 0;
  int rc = ::posix_spawn(&child, argv[0], &actions, &attr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  ::posix_spawnattr_destroy(&attr);
  write_end.reset();
  if (rc != 0) return sys::error_from_errno("posix_spawn", launch.shim_binary, rc);
  // The process we started forks the real shim and exits at once.
  while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
  }

  bool timed_out = false;
  auto line = read_line(read_end.get(), deadline, timed_out, "berth-shim sync pipe");
  if (!line) return line.error();
  auto pid_file = launch.state_dir + "/" + std::string{proto::shim_pid_file};
  if (timed_out) {
    // SIGTERM makes the shim abort the runtime's create and clean up after it.
    if (auto shim_pid = read_pid_file(pid_file)) ::kill(*shim_pid, SIGTERM);
    return make_error(errc::timeout, "berth-shim did not report within " +
                                         std::to_string(timeout.count()) + " ms");
  }
  constexpr std::string_view created = "created ";
  constexpr std::string_view failed = "error ";
  if (line->rfind(created, 0) == 0) {
    shim_started out;
    try {
      out.container_pid = std::stoi(line->substr(created.size()));
    } catch (const std::exception&) {
      return make_error(errc::system, "berth-shim: bad sync line: " + *line);
    }
    auto shim_pid = read_pid_file(pid_file);
    if (!shim_pid) return make_error(errc::system, "berth-shim wrote no " + pid_file);
    out.shim_pid = *shim_pid;
    return out;
  }
  if (line->rfind(failed, 0) == 0) {
    auto message = line->substr(failed.size());
    auto kind = classify_create_error(message);
    return make_error(kind, std::move(message));
  }
  if (line->empty())
    return make_error(errc::system, "berth-shim exited without reporting (see " + launch.state_dir +
                                        "/" + std::string{proto::shim_log_file} + ")");
  return make_error(errc::system, "berth-shim: bad sync line: " + *line);
}

caf::expected<std::string> shim_command(const std::string& state_dir, const std::string& command,
                                        std::chrono::milliseconds timeout) {
  auto deadline = deadline_after(timeout);
  auto sock = connect_unix(state_dir, proto::control_socket, deadline);
  if (!sock) return sock.error();
  std::string request = command + "\n";
  std::string_view rest = request;
  while (!rest.empty()) {
    auto n = ::send(sock->get(), rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        pollfd p{sock->get(), POLLOUT, 0};
        if (::poll(&p, 1, ms_left(deadline)) == 0)
          return make_error(errc::timeout, "shim command " + command + ": timed out");
        continue;
      }
      return sys::error_from_errno("send", state_dir, errno);
    }
    rest.remove_prefix(static_cast<size_t>(n));
  }
  bool timed_out = false;
  auto line = read_line(sock->get(), deadline, timed_out, "shim " + state_dir);
  if (!line) return line.error();
  if (timed_out) return make_error(errc::timeout, "shim command " + command + ": timed out");
  if (*line == "ok") return std::string{};
  if (line->rfind("ok ", 0) == 0) return line->substr(3);
  if (line->rfind("error ", 0) == 0) {
    std::string_view rest_of_line = std::string_view{*line}.substr(6);
    auto space = rest_of_line.find(' ');
    auto kind = rest_of_line.substr(0, space);
    std::string message{space == std::string_view::npos ? rest_of_line
                                                        : rest_of_line.substr(space + 1)};
    if (kind == "invalid") return make_error(errc::invalid_argument, std::move(message));
    if (kind == "conflict") return make_error(errc::conflict, std::move(message));
    if (kind == "system") return make_error(errc::system, std::move(message));
    return make_error(errc::internal, std::string{rest_of_line});
  }
  if (line->empty())
    return make_error(errc::unavailable, "shim closed the connection without answering");
  return make_error(errc::internal, "shim: unexpected reply: " + *line);
}

caf::expected<shim_exit> wait_shim_exit(const std::string& state_dir,
                                        std::chrono::milliseconds timeout) {
  auto reply = shim_command(state_dir, "wait", timeout);
  if (reply) return parse_shim_exit(*reply);
  auto kind = error_kind(reply.error());
  if (kind == errc::timeout || kind == errc::invalid_argument || kind == errc::conflict)
    return reply.error();
  // The shim is gone, or went away while we asked: its exit file tells.
  auto recorded = read_shim_exit(state_dir);
  if (!recorded) return recorded.error();
  if (*recorded) return **recorded;
  return make_error(errc::unavailable, "the shim of " + state_dir +
                                           " is gone and left no exit status (" +
                                           error_message(reply.error()) + ")");
}

caf::expected<shim_exit> parse_shim_exit(std::string_view json) {
  auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return make_error(errc::invalid_argument, "shim exit status: not a JSON object");
  auto code = doc.find("exit_code");
  if (code == doc.end() || !code->is_number_integer())
    return make_error(errc::invalid_argument, "shim exit status: no exit_code");
  shim_exit out;
  out.exit_code = code->get<int>();
  if (auto oom = doc.find("oom_killed"); oom != doc.end()) {
    if (!oom->is_boolean())
      return make_error(errc::invalid_argument, "shim exit status: bad oom_killed");
    out.oom_killed = oom->get<bool>();
  }
  if (auto at = doc.find("finished_at"); at != doc.end()) {
    if (!at->is_number_integer())
      return make_error(errc::invalid_argument, "shim exit status: bad finished_at");
    out.finished_at = at->get<int64_t>();
  }
  if (auto pid = doc.find("pid"); pid != doc.end()) {
    if (!pid->is_number_integer())
      return make_error(errc::invalid_argument, "shim exit status: bad pid");
    out.pid = pid->get<int>();
  }
  return out;
}

caf::expected<std::optional<shim_exit>> read_shim_exit(const std::string& state_dir) {
  return read_exit_file(state_dir + "/" + std::string{proto::exit_file});
}

caf::expected<std::optional<shim_exit>> read_exit_file(const std::string& path) {
  auto text = sys::read_file(path, 64 * 1024);
  if (!text) {
    if (error_kind(text.error()) == errc::not_found) return std::optional<shim_exit>{};
    return text.error();
  }
  auto parsed = parse_shim_exit(*text);
  if (!parsed) return parsed.error();
  return std::optional<shim_exit>{*parsed};
}

bool shim_alive(const std::string& state_dir) {
  return static_cast<bool>(shim_command(state_dir, "state", std::chrono::milliseconds{2000}));
}

std::string attach_header(bool stdin, bool stdout, bool stderr) {
  std::string out = "attach stdin=";
  out += stdin ? '1' : '0';
  out += " stdout=";
  out += stdout ? '1' : '0';
  out += " stderr=";
  out += stderr ? '1' : '0';
  out += '\n';
  return out;
}

} // namespace berth::runtime
