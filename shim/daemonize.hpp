// Detaching berth-shim from the daemon, and the one-line report on the sync pipe.
#pragma once

#include <string_view>

#include "shim/options.hpp"
#include "shim/result.hpp"

namespace berth::shim {

/// Forks; the original process exits at once (so the daemon reaps it and never keeps a zombie).
/// The child — the shim from now on — gets its own session and process group, becomes a child
/// subreaper (the container's init is reparented to it), has stdio on /dev/null, works in the
/// state directory (created 0700 if missing) and writes shim.pid there. Returns in the child.
[[nodiscard]] status daemonize(const options& opts);

/// Writes one line to the sync descriptor and closes it (a no-op when `sync_fd` < 0).
void report(int& sync_fd, std::string_view line);

} // namespace berth::shim
