// Running a helper program to completion (a runtime probe, a runtime's `delete`, nft): blocking,
// bounded by a timeout, output captured. Callers run it on the blocking pool or at startup.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

namespace berth {

/// How much of a program's output run_process keeps unless told otherwise.
inline constexpr size_t default_max_output = 64 * 1024;

struct process_result {
  int exit_code = -1;     ///< exit status, or 128 + signal number
  std::string output;     ///< stdout and stderr together, at most the cap (64 KiB by default)
  bool truncated = false; ///< the program wrote more than the cap; the rest was discarded
};

/// Runs `argv` (argv[0] an absolute path or found on PATH) with stdin on /dev/null and no other
/// inherited descriptors. Kills it after `timeout` (errc::timeout). Fails when it cannot start.
[[nodiscard]] caf::expected<process_result> run_process(const std::vector<std::string>& argv,
                                                        std::chrono::milliseconds timeout);

/// Like the above, but the program reads `input` on its stdin (a pipe, closed after the last
/// byte, so the program sees EOF), and up to `max_output` bytes of its output are kept. A program
/// that exits without reading all its input is not an error: its exit code says what happened.
/// Safe with SIGPIPE at its default action (the write side never raises it).
[[nodiscard]] caf::expected<process_result> run_process(const std::vector<std::string>& argv,
                                                        std::string_view input,
                                                        std::chrono::milliseconds timeout,
                                                        size_t max_output = default_max_output);

} // namespace berth
