// Running the `nft` tool, optionally inside a pinned network namespace (`nsenter --net=<pin>`), so
// the daemon edits its own ruleset and tests edit a throwaway namespace's.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

namespace berth::net {

/// Where and how nft runs.
struct nft_runner {
  std::string netns; ///< a pinned network namespace to enter; empty: the caller's own
  std::chrono::milliseconds timeout{10000}; ///< per nft invocation
};

/// Runs `nft <args...>` with `script` on stdin (for `-f -`) and returns its output. A non-zero
/// exit is errc::system carrying nft's own message. Blocking; thread-safe.
[[nodiscard]] caf::expected<std::string> run_nft(const nft_runner& where,
                                                 const std::vector<std::string>& args,
                                                 std::string_view script = {});

/// Applies `script` as one transaction (`nft -f -`): all of it or, on error, none of it.
[[nodiscard]] caf::error apply_nft_script(const nft_runner& where, std::string_view script);

} // namespace berth::net
