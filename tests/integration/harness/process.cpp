// Running real programs from tests.
#include "process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace berth::test {

namespace {

using clock = std::chrono::steady_clock;

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::vector<std::string> merged_env(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> all;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) all[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : extra)
    all[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : all)
    out.push_back(k + "=" + v);
  return out;
}

// fork + exec with the given stdio; in the child only 0, 1, 2 stay open.
pid_t spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
            int in_fd, int out_fd, int err_fd) {
  auto envs = merged_env(env);
  std::vector<char*> cargv;
  for (const auto& a : argv)
    cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  std::vector<char*> cenv;
  for (const auto& e : envs)
    cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    ::close_range(3, ~0U, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execvpe(cargv[0], cargv.data(), cenv.data());
    ::_exit(127);
  }
  return pid;
}

int open_null(int flags) {
  return ::open("/dev/null", flags | O_CLOEXEC);
}

} // namespace

command_result run(const std::vector<std::string>& argv, const run_options& opts) {
  command_result result;
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
    return result;
  pid_t pid = spawn(argv, opts.env, in[0], out[1], err[1]);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (pid < 0) {
    ::close(in[1]);
    ::close(out[0]);
    ::close(err[0]);
    return result;
  }
  size_t written = 0;
  int in_fd = in[1];
  if (opts.stdin_data.empty()) {
    ::close(in_fd);
    in_fd = -1;
  } else {
    ::fcntl(in_fd, F_SETFL, O_NONBLOCK);
  }
  auto deadline = clock::now() + opts.timeout;
  int out_fd = out[0], err_fd = err[0];
  char buf[65536];
  while (out_fd >= 0 || err_fd >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd fds[3];
    int n = 0;
    if (out_fd >= 0) fds[n++] = {out_fd, POLLIN, 0};
    if (err_fd >= 0) fds[n++] = {err_fd, POLLIN, 0};
    if (in_fd >= 0) fds[n++] = {in_fd, POLLOUT, 0};
    if (::poll(fds, static_cast<nfds_t>(n),
               static_cast<int>(std::min<int64_t>(left.count(), 1000))) < 0 &&
        errno != EINTR)
      break;
    for (int i = 0; i < n; ++i) {
      if (!fds[i].revents) continue;
      if (fds[i].fd == in_fd) {
        auto w = ::write(in_fd, opts.stdin_data.data() + written, opts.stdin_data.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 || written == opts.stdin_data.size()) {
          ::close(in_fd);
          in_fd = -1;
        }
        continue;
      }
      auto r = ::read(fds[i].fd, buf, sizeof buf);
      if (r <= 0) {
        ::close(fds[i].fd);
        (fds[i].fd == out_fd ? out_fd : err_fd) = -1;
      } else {
        (fds[i].fd == out_fd ? result.out : result.err).append(buf, static_cast<size_t>(r));
      }
    }
  }
  for (int fd : {in_fd, out_fd, err_fd})
    if (fd >= 0) ::close(fd);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = result.timed_out ? -1 : decode_status(status);
  return result;
}

command_result shell(const std::string& script, const run_options& opts) {
  return run({"/bin/sh", "-c", script}, opts);
}

background_process::background_process(const std::vector<std::string>& argv,
                                       const std::map<std::string, std::string>& env,
                                       const std::string& stdout_path,
                                       const std::string& stderr_path) {
  int pipe_fds[2] = {-1, -1};
  int out_fd;
  if (stdout_path.empty()) {
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return;
    out_fd = pipe_fds[1];
  } else {
    out_fd = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  }
  int err_fd = stderr_path.empty()
                   ? open_null(O_WRONLY)
                   : ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int in_fd = open_null(O_RDONLY);
  pid_ = spawn(argv, env, in_fd, out_fd, err_fd);
  ::close(in_fd);
  ::close(err_fd);
  ::close(out_fd);
  stdout_fd_ = pipe_fds[0];
}

background_process::~background_process() {
  if (pid_ > 0 && running()) {
    ::kill(pid_, SIGKILL);
    wait(std::chrono::seconds(10));
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

std::optional<std::string> background_process::read_line(std::chrono::milliseconds timeout) {
  auto deadline = clock::now() + timeout;
  for (;;) {
    auto nl = buffered_.find('\n');
    if (nl != std::string::npos) {
      auto line = buffered_.substr(0, nl);
      buffered_.erase(0, nl + 1);
      return line;
    }
    if (stdout_fd_ < 0) return std::nullopt;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{stdout_fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    auto r = ::read(stdout_fd_, buf, sizeof buf);
    if (r <= 0) {
      ::close(stdout_fd_);
      stdout_fd_ = -1;
      if (buffered_.empty()) return std::nullopt;
      auto line = std::move(buffered_);
      buffered_.clear();
      return line;
    }
    buffered_.append(buf, static_cast<size_t>(r));
  }
}

bool background_process::running() {
  if (exited_ || pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    exited_ = true;
    status_ = decode_status(status);
    return false;
  }
  return true;
}

int background_process::wait(std::chrono::milliseconds timeout) {
  if (!running()) return status_;
  // A pidfd becomes readable when the process exits: wait on that event, not on a sleep loop.
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  if (pidfd >= 0) {
    pollfd p{pidfd, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(timeout.count()));
    ::close(pidfd);
    return running() ? -1 : status_;
  }
  auto deadline = clock::now() + timeout;
  while (running()) {
    if (clock::now() >= deadline) return -1;
    ::usleep(2000);
  }
  return status_;
}

void background_process::signal(int sig) {
  if (pid_ > 0 && !exited_) ::kill(pid_, sig);
}

} // namespace berth::test
