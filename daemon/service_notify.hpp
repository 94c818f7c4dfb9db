// The systemd notification protocol (sd_notify): READY=1 once listening, RELOADING=1 and
// STOPPING=1 around reloads and shutdown. A no-op unless $NOTIFY_SOCKET is set. Test harnesses use
// the same socket to learn when the daemon is ready.
#pragma once

#include <string_view>

namespace berth::daemon {

/// Sends `state` (e.g. "READY=1\nMAINPID=123") to $NOTIFY_SOCKET, if set. Never fails loudly.
void notify_service_manager(std::string_view state);

} // namespace berth::daemon
