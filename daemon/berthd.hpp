// berthd's entry point: parse flags, load the configuration, run until a signal says stop.
#pragma once

namespace berth::daemon {

/// Runs berthd; returns the process exit status (0 on a clean stop, 1 on bad configuration or a
/// failed start).
[[nodiscard]] int run_berthd(int argc, char** argv);

} // namespace berth::daemon
