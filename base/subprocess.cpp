// Running a helper program to completion.
#include "base/subprocess.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/fd.hpp"

extern char** environ;

namespace berth {

namespace {

int status_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

struct pipe_ends {
  unique_fd read_end;
  unique_fd write_end;
};

caf::expected<pipe_ends> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return make_error(errc::system, std::string{"pipe2 failed: "} + std::strerror(errno));
  return pipe_ends{unique_fd{fds[0]}, unique_fd{fds[1]}};
}

/// A started program: its pid, the read end of its output and (when fed) the write end of its
/// stdin.
struct child {
  pid_t pid = -1;
  unique_fd output;
  unique_fd input;
};

// Starts `argv` with stdout and stderr on one pipe, stdin on a second pipe when `feed_input`
// (else /dev/null), default signal dispositions and an empty signal mask.
caf::expected<child> spawn(const std::vector<std::string>& argv, bool feed_input) {
  auto out = make_pipe();
  if (!out) return out.error();
  pipe_ends in;
  if (feed_input) {
    auto p = make_pipe();
    if (!p) return p.error();
    in = std::move(*p);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (feed_input)
    posix_spawn_file_actions_adddup2(&actions, in.read_end.get(), 0);
  else
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out->write_end.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, out->write_end.get(), 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3); // also what someone opened without CLOEXEC
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t all;
  sigfillset(&all);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  child result;
  int rc = ::posix_spawnp(&result.pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0)
    return make_error(errc::not_found, "cannot run " + argv[0] + ": " + std::strerror(rc));
  result.output = std::move(out->read_end);
  if (feed_input) {
    result.input = std::move(in.write_end);
    // Never block on a full pipe: the program may be waiting for us to drain its output.
    ::fcntl(result.input.get(), F_SETFL, ::fcntl(result.input.get(), F_GETFL) | O_NONBLOCK);
  }
  return result;
}

// Blocks SIGPIPE on this thread while we write into a pipe whose reader may have exited, and
// discards the SIGPIPE such a write raised, so the process's disposition of SIGPIPE never matters.
class sigpipe_blocker {
 public:
  sigpipe_blocker() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
  }
  ~sigpipe_blocker() {
    if (!was_pending_) {
      timespec zero{};
      while (::sigtimedwait(&pipe_, nullptr, &zero) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  sigpipe_blocker(const sigpipe_blocker&) = delete;
  sigpipe_blocker& operator=(const sigpipe_blocker&) = delete;

 private:
  sigset_t pipe_;
  sigset_t previous_;
  bool was_pending_ = false;
};

// Writes what the pipe takes now; closes it when all is written or the reader is gone.
void feed(unique_fd& input, std::string_view data, size_t& written) {
  auto n = ::write(input.get(), data.data() + written, data.size() - written);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n < 0) { // EPIPE: the program exited or closed its stdin
    input.reset();
    return;
  }
  written += static_cast<size_t>(n);
  if (written == data.size()) input.reset();
}

// Appends what the output pipe holds; returns false at EOF.
bool drain(const unique_fd& output, process_result& result, size_t max_output) {
  char buf[4096];
  auto got = ::read(output.get(), buf, sizeof buf);
  if (got < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (got <= 0) return false; // EOF: the program (and anything holding its output) is done
  auto size = static_cast<size_t>(got);
  auto room = max_output - std::min(max_output, result.output.size());
  result.output.append(buf, std::min(size, room));
  if (size > room) result.truncated = true;
  return true;
}

// Feeds `input` and collects output until EOF on the output pipe or the deadline; returns whether
// the deadline passed first.
bool exchange(child& c, std::string_view input, std::chrono::steady_clock::time_point deadline,
              size_t max_output, process_result& result) {
  sigpipe_blocker no_sigpipe;
  size_t written = 0;
  if (input.empty()) c.input.reset();
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return true;
    pollfd fds[2] = {{c.output.get(), POLLIN, 0}, {c.input.get(), POLLOUT, 0}};
    int n = ::poll(fds, c.input ? 2 : 1, static_cast<int>(left.count()));
    if (n <= 0) continue; // EINTR or the deadline: the loop head decides
    if (c.input && fds[1].revents != 0) feed(c.input, input, written);
    if (fds[0].revents != 0 && !drain(c.output, result, max_output)) return false;
  }
}

caf::expected<process_result> run(const std::vector<std::string>& argv,
                                  const std::string_view* input, std::chrono::milliseconds timeout,
                                  size_t max_output) {
  if (argv.empty()) return make_error(errc::invalid_argument, "run_process: empty command line");
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto c = spawn(argv, input != nullptr);
  if (!c) return c.error();
  process_result result;
  bool timed_out = exchange(*c, input ? *input : std::string_view{}, deadline, max_output, result);
  c->input.reset();
  if (timed_out) ::kill(c->pid, SIGKILL);
  int status = 0;
  while (::waitpid(c->pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out)
    return make_error(errc::timeout, argv[0] + " did not finish within " +
                                         std::to_string(timeout.count()) + " ms");
  result.exit_code = status_code(status);
  return result;
}

} // namespace

caf::expected<process_result> run_process(const std::vector<std::string>& argv,
                                          std::chrono::milliseconds timeout) {
  return run(argv, nullptr, timeout, default_max_output);
}

caf::expected<process_result> run_process(const std::vector<std::string>& argv,
                                          std::string_view input, std::chrono::milliseconds timeout,
                                          size_t max_output) {
  return run(argv, &input, timeout, max_output);
}

} // namespace berth
