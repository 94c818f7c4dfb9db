// Network namespaces the daemon creates for containers: made on a dedicated thread (setns and
// unshare act per thread), loopback brought up with libnl, and pinned by bind-mounting the
// namespace onto a file so it outlives every process in it (and the daemon).
#pragma once

#include <functional>
#include <string>

#include <caf/error.hpp>
#include <caf/expected.hpp>

namespace berth::net {

/// Creates a network namespace with `lo` up, pinned at `path` (the file is created).
[[nodiscard]] caf::error create_netns(const std::string& path);

/// Unpins and removes a namespace created by create_netns; a missing one is not an error.
[[nodiscard]] caf::error remove_netns(const std::string& path);

/// Runs `fn` on a thread that has entered the namespace pinned at `path`.
[[nodiscard]] caf::error run_in_netns(const std::string& path, const std::function<caf::error()>& fn);

/// Brings a link up by name in the calling thread's network namespace (libnl).
[[nodiscard]] caf::error set_link_up(const std::string& name);

} // namespace berth::net
