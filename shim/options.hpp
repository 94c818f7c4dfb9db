// berth-shim's command line (the daemon builds it in runtime/shim_client.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "shim/result.hpp"

namespace berth::shim {

/// Everything the shim is told on its command line.
struct options {
  std::string id;                        ///< --id: container ID, the runtime's name for it
  std::string bundle;                    ///< --bundle: directory with config.json
  std::string runtime;                   ///< --runtime: path of runc/crun
  std::vector<std::string> runtime_args; ///< --runtime-arg (repeatable): extra global arguments
  std::string runtime_root;              ///< --runtime-root: the runtime's --root
  std::string state_dir;                 ///< --state-dir: absolute, 0700
  std::string log_path;                  ///< --log-path: json-file log ("" = no log)
  uint64_t log_max_size = 0;             ///< --log-max-size: bytes, 0 = never rotate
  int log_max_files = 1;                 ///< --log-max-files: files kept, current included
  bool tty = false;                      ///< --tty
  bool open_stdin = false;               ///< --stdin
  bool stdin_once = false;               ///< --stdin-once
  int rows = 0;                          ///< --rows: initial TTY size (0 = leave)
  int cols = 0;                          ///< --cols
  int sync_fd = -1;                      ///< --sync-fd: pipe for the "created"/"error" line
};

/// Parses `--flag value` / `--flag=value` arguments (argv[0] excluded).
[[nodiscard]] result<options> parse_options(const std::vector<std::string>& args);

/// Finds --sync-fd even when the rest of the command line is bad (to report the error on it).
[[nodiscard]] int find_sync_fd(const std::vector<std::string>& args);

} // namespace berth::shim
