// The systemd notification protocol (sd_notify): READY=1 once listening, RELOADING=1 and
// STOPPING=1 around reloads and shutdown. A no-op unless $NOTIFY_SOCKET is set. Test harnesses use
// the same socket to learn when the daemon is ready.
#pragma once

#include <string_view>

namespace berth::daemon {

/// Takes $NOTIFY_SOCKET out of the environment (keeping it for notify_service_manager): no child
/// may inherit it, or `runc run` would wait for a READY=1 from its container. Call first thing.
void capture_notify_socket();

/// Sends `state` (e.g. "READY=1\nMAINPID=123") to the captured socket, if any. Never fails loudly.
void notify_service_manager(std::string_view state);

} // namespace berth::daemon
