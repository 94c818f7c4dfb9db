// Running real programs from tests: one-shot commands with a timeout, and background processes
// whose output can be read line by line. Every wait is bounded.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace berth::test {

struct command_result {
  int exit_code = -1; ///< exit status, 128+N when killed by signal N, -1 on timeout
  std::string out;
  std::string err;
  bool timed_out = false;
};

struct run_options {
  std::string stdin_data;
  std::map<std::string, std::string> env; ///< added to (or overriding) the test's environment
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
};

/// Runs `argv` to completion (or the timeout, after which it is killed).
[[nodiscard]] command_result run(const std::vector<std::string>& argv,
                                 const run_options& opts = {});

/// Runs `/bin/sh -c script`.
[[nodiscard]] command_result shell(const std::string& script, const run_options& opts = {});

/// A process left running while the test goes on; killed (and reaped) on destruction.
class background_process {
 public:
  /// Starts `argv`; stdout is readable through read_line(); stderr goes to `stderr_path` (or is
  /// discarded) and stdout too when `stdout_path` is set.
  background_process(const std::vector<std::string>& argv,
                     const std::map<std::string, std::string>& env = {},
                     const std::string& stdout_path = {}, const std::string& stderr_path = {});
  ~background_process();
  background_process(const background_process&) = delete;
  background_process& operator=(const background_process&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }

  /// The next stdout line (without '\n'), or nullopt at EOF or after `timeout`.
  [[nodiscard]] std::optional<std::string> read_line(std::chrono::milliseconds timeout);

  /// True while the process has not exited.
  [[nodiscard]] bool running();

  /// Waits for exit; returns the status (see command_result) or -1 on timeout.
  int wait(std::chrono::milliseconds timeout);

  void signal(int sig);

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string buffered_;
  bool exited_ = false;
  int status_ = -1;
};

} // namespace berth::test
