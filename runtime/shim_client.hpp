// The daemon's side of berth-shim: launching a shim for a container and talking to it. Every
// function blocks: call them from the blocking pool (attach and wait connections are made by the
// API and container actors with Asio on the socket paths this exposes).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

namespace berth::runtime {

/// How to start one container's shim.
struct shim_launch {
  std::string shim_binary;                  ///< path of berth-shim
  std::string id;                           ///< container ID (also the runtime's container name)
  std::string bundle;                       ///< directory with config.json
  std::string runtime_path;                 ///< runc / crun binary
  std::vector<std::string> runtime_args;    ///< extra global runtime arguments
  std::string runtime_root;                 ///< the runtime's --root
  std::string state_dir;                    ///< the shim's 0700 directory (sockets, exit file)
  std::string log_path;                     ///< json-file log ("" = log driver none)
  uint64_t log_max_size = 20 * 1000 * 1000; ///< rotate above this size (0 = never)
  int log_max_files = 5;                    ///< files kept, the current one included
  bool tty = false;
  bool open_stdin = false;
  bool stdin_once = false;
  int rows = 0; ///< initial TTY size (0 = leave as is)
  int cols = 0;
};

/// A created (not yet started) container under its shim.
struct shim_started {
  int shim_pid = 0;
  int container_pid = 0;
};

/// How a container ended.
struct shim_exit {
  int exit_code = 0;
  bool oom_killed = false;
  int64_t finished_at = 0; ///< unix ns
  int pid = 0;
};

/// Launches the shim, which creates the container through the runtime and reports back; fails
/// with the runtime's message (e.g. "exec: \"nosuch\": executable file not found in $PATH").
[[nodiscard]] caf::expected<shim_started> launch_shim(const shim_launch& launch,
                                                      std::chrono::milliseconds timeout);

/// Sends one control command; returns the payload after "ok".
[[nodiscard]] caf::expected<std::string> shim_command(const std::string& state_dir,
                                                      const std::string& command,
                                                      std::chrono::milliseconds timeout);

/// Waits for the container's exit: "wait" on the control socket, or exit.json when the shim has
/// already finished (it removes its sockets only after writing exit.json, so a shim that is gone
/// without an exit file died with its container unrecorded: errc::unavailable).
[[nodiscard]] caf::expected<shim_exit> wait_shim_exit(const std::string& state_dir,
                                                      std::chrono::milliseconds timeout);

/// Parses exit JSON (exit.json or a "wait"/"state" reply payload).
[[nodiscard]] caf::expected<shim_exit> parse_shim_exit(std::string_view json);

/// Reads an exit file (exit.json, exec-<id>.json): nullopt when it does not exist.
[[nodiscard]] caf::expected<std::optional<shim_exit>> read_exit_file(const std::string& path);

/// Reads exit.json, if the container has exited.
[[nodiscard]] caf::expected<std::optional<shim_exit>> read_shim_exit(const std::string& state_dir);

/// True when a shim answers on the state directory's control socket.
[[nodiscard]] bool shim_alive(const std::string& state_dir);

/// The attach header line for the given streams.
[[nodiscard]] std::string attach_header(bool stdin, bool stdout, bool stderr);

} // namespace berth::runtime
