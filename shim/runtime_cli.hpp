// Running the OCI runtime (runc) from berth-shim: create, start, delete, and its error messages.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

#include "shim/result.hpp"

namespace berth::shim {

/// The runtime binary and the global arguments every invocation gets.
class runtime_cli {
 public:
  runtime_cli(std::string path, std::vector<std::string> extra_args, std::string root,
              std::string log_file, std::string id);

  /// `create --bundle B --pid-file P [--console-socket S] <id>`.
  [[nodiscard]] std::vector<std::string> create_args(const std::string& bundle,
                                                     const std::string& pid_file,
                                                     const std::string& console_socket) const;
  /// `exec -d --pid-file P --process F [--console-socket S] <id>`: the process is left running,
  /// reparented to the shim (a subreaper).
  [[nodiscard]] std::vector<std::string> exec_args(const std::string& process_file,
                                                   const std::string& pid_file,
                                                   const std::string& console_socket) const;
  /// `start <id>`.
  [[nodiscard]] std::vector<std::string> start_args() const;
  /// `delete [--force] <id>`.
  [[nodiscard]] std::vector<std::string> delete_args(bool force) const;

  /// Starts the runtime with `args` and the given stdio (-1: /dev/null); every other descriptor
  /// is close-on-exec. The child gets default signal dispositions and an empty signal mask.
  [[nodiscard]] result<pid_t> spawn(const std::vector<std::string>& args, int in, int out,
                                    int err) const;

  /// Runs the runtime with stdio on /dev/null and waits for it; returns its error message when it
  /// fails (see `failure_message`).
  [[nodiscard]] status run(const std::vector<std::string>& args) const;

  /// Current size of the runtime's log (to read only what one invocation adds).
  [[nodiscard]] off_t log_offset() const;

  /// The message of a failed invocation: the last "msg" of an error-level line the runtime added
  /// to its JSON log after `log_offset`, else the last line of `stderr_text`, else `fallback`.
  [[nodiscard]] std::string failure_message(off_t log_offset, const std::string& stderr_text,
                                            const std::string& fallback) const;

 private:
  [[nodiscard]] std::vector<std::string> base_args() const;

  std::string path_;
  std::vector<std::string> extra_args_;
  std::string root_;
  std::string log_file_;
  std::string id_;
};

/// Describes a wait status: "exit status 1", "signal 9".
[[nodiscard]] std::string describe_wait_status(int wstatus);

} // namespace berth::shim
