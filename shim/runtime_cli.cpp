// Running the OCI runtime from berth-shim.
#include "shim/runtime_cli.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shim/io.hpp"
#include "shim/json_text.hpp"

extern char** environ;

namespace berth::shim {

runtime_cli::runtime_cli(std::string path, std::vector<std::string> extra_args, std::string root,
                         std::string log_file, std::string id)
    : path_(std::move(path)), extra_args_(std::move(extra_args)), root_(std::move(root)),
      log_file_(std::move(log_file)), id_(std::move(id)) {}

std::vector<std::string> runtime_cli::base_args() const {
  std::vector<std::string> args{path_};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  args.insert(args.end(), {"--root", root_, "--log", log_file_, "--log-format", "json"});
  return args;
}

std::vector<std::string> runtime_cli::create_args(const std::string& bundle,
                                                  const std::string& pid_file,
                                                  const std::string& console_socket) const {
  auto args = base_args();
  args.insert(args.end(), {"create", "--bundle", bundle, "--pid-file", pid_file});
  if (!console_socket.empty()) args.insert(args.end(), {"--console-socket", console_socket});
  args.push_back(id_);
  return args;
}

std::vector<std::string> runtime_cli::exec_args(const std::string& process_file,
                                                const std::string& pid_file,
                                                const std::string& console_socket) const {
  auto args = base_args();
  args.insert(args.end(), {"exec", "--detach", "--pid-file", pid_file, "--process", process_file});
  if (!console_socket.empty()) args.insert(args.end(), {"--console-socket", console_socket});
  args.push_back(id_);
  return args;
}

std::vector<std::string> runtime_cli::start_args() const {
  auto args = base_args();
  args.insert(args.end(), {"start", id_});
  return args;
}

std::vector<std::string> runtime_cli::delete_args(bool force) const {
  auto args = base_args();
  args.push_back("delete");
  if (force) args.push_back("--force");
  args.push_back(id_);
  return args;
}

result<pid_t> runtime_cli::spawn(const std::vector<std::string>& args, int in, int out,
                                 int err) const {
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const auto& arg : args)
    argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  // Opened before fork: the child only calls async-signal-safe functions.
  auto null = open_file("/dev/null", O_RDWR);
  if (!null) return null.take_error();
  int stdio[3] = {in < 0 ? null->get() : in, out < 0 ? null->get() : out,
                  err < 0 ? null->get() : err};
  pid_t pid = ::fork();
  if (pid < 0) return errno_error("fork", path_, errno);
  if (pid == 0) {
    // Move the sources out of 0..2 first so no dup2 clobbers a later one.
    for (int k = 0; k < 3; ++k)
      if (stdio[k] < 3) stdio[k] = ::fcntl(stdio[k], F_DUPFD_CLOEXEC, 3);
    for (int k = 0; k < 3; ++k)
      if (stdio[k] < 0 || ::dup2(stdio[k], k) < 0) ::_exit(127);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL); // ignored in the shim; the container must get the default
    ::execve(argv[0], argv.data(), environ);
    ::_exit(127);
  }
  return pid;
}

status runtime_cli::run(const std::vector<std::string>& args) const {
  auto offset = log_offset();
  auto pid = spawn(args, -1, -1, -1);
  if (!pid) return pid.take_error();
  int wstatus = 0;
  while (::waitpid(*pid, &wstatus, 0) < 0)
    if (errno != EINTR) return errno_error("waitpid", path_, errno);
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) return {};
  size_t command = 7 + extra_args_.size(); // after the binary and the global arguments
  auto name = command < args.size() ? args[command] : std::string{"runtime"};
  return error{failure_message(offset, "", name + " failed: " + describe_wait_status(wstatus))};
}

off_t runtime_cli::log_offset() const {
  return file_size(log_file_);
}

std::string runtime_cli::failure_message(off_t log_offset, const std::string& stderr_text,
                                         const std::string& fallback) const {
  auto text = read_file_from(log_file_, log_offset, 256 * 1024);
  std::string message;
  std::string_view rest = text;
  while (!rest.empty()) {
    auto line = pop_line(rest);
    auto level = find_json_string(line, {"level"});
    if (!level || (*level != "error" && *level != "fatal")) continue;
    if (auto msg = find_json_string(line, {"msg"}); msg && !msg->empty()) message = *msg;
  }
  if (!message.empty()) return message;
  // The runtime's stderr: its last non-empty line.
  std::string_view err = stderr_text;
  while (!err.empty() && (err.back() == '\n' || err.back() == ' '))
    err.remove_suffix(1);
  if (auto nl = err.rfind('\n'); nl != std::string_view::npos) err.remove_prefix(nl + 1);
  if (!err.empty()) return std::string{err};
  return fallback;
}

std::string describe_wait_status(int wstatus) {
  if (WIFEXITED(wstatus)) return "exit status " + std::to_string(WEXITSTATUS(wstatus));
  if (WIFSIGNALED(wstatus)) return "signal " + std::to_string(WTERMSIG(wstatus));
  return "status " + std::to_string(wstatus);
}

} // namespace berth::shim
