// Running a helper program to completion (a runtime probe, a runtime's `delete`, nft): blocking,
// bounded by a timeout, output captured. Callers run it on the blocking pool or at startup.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace berth {

struct process_result {
  int exit_code = -1; ///< exit status, or 128 + signal number
  std::string output; ///< stdout and stderr together, at most 64 KiB
};

/// Runs `argv` (argv[0] an absolute path or found on PATH) with stdin on /dev/null and no other
/// inherited descriptors. Kills it after `timeout` (errc::timeout). Fails when it cannot start.
[[nodiscard]] caf::expected<process_result> run_process(const std::vector<std::string>& argv,
                                                        std::chrono::milliseconds timeout);

} // namespace berth
