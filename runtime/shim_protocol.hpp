// The protocol between berthd and berth-shim, shared by both sides (header-only, no CAF: the shim
// links neither CAF nor the daemon's libraries).
//
// The shim of container <id> keeps its files in a 0700 state directory given by the daemon:
//   control.sock  line-based commands, one per connection: the client writes one line, the shim
//                 answers one line "ok[ <payload>]" or "error <kind> <message>" and closes;
//                 <kind> is "invalid" (bad command), "conflict" (not in a state for it) or
//                 "system" (a system call or the runtime failed).
//   attach.sock   stream connections: the client writes one header line, then the connection is
//                 a full-duplex pipe (client → container stdin, container output → client).
//   exit.json     written atomically when the container exits (the daemon reads it after a
//                 restart if it missed the exit).
//   shim.pid      the shim's pid.   init.pid  the container's pid (written by the runtime).
//   shim.log      the shim's own diagnostics.   runtime.log  the runtime's JSON log (--log).
//   console.sock  only while a TTY container is created (the runtime's --console-socket).
//   exec-<id>.process.json  the OCI process of an exec (written by the daemon before "exec").
//   exec-<id>.sock          the exec's stdio, like attach.sock, until its exit is recorded.
//   exec-<id>.json          the exec's exit JSON, written before its clients are closed.
//   exec-<id>.pid, exec-<id>-console.sock  while `runtime exec` runs.
//
// Command line (built by launch_shim in runtime/shim_client.cpp):
//   berth-shim --id ID --bundle DIR --runtime PATH [--runtime-arg ARG]... --runtime-root DIR
//              --state-dir DIR [--log-path FILE --log-max-size BYTES --log-max-files N]
//              [--tty [--rows N --cols N]] [--stdin [--stdin-once]] --sync-fd N
// The process started exits at once; the detached shim writes one line on the sync fd:
// "created <container-pid>" or "error <message>" (the runtime's message when `create` failed,
// after it has run `<runtime> delete --force`), then closes it. shim.pid is written before.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace berth::shim_protocol {

inline constexpr std::string_view control_socket = "control.sock";
inline constexpr std::string_view attach_socket = "attach.sock";
inline constexpr std::string_view exit_file = "exit.json";
inline constexpr std::string_view shim_pid_file = "shim.pid";
inline constexpr std::string_view init_pid_file = "init.pid";
inline constexpr std::string_view shim_log_file = "shim.log";
inline constexpr std::string_view runtime_log_file = "runtime.log";
inline constexpr std::string_view console_socket = "console.sock";

/// exec-<id>.sock, exec-<id>.process.json, exec-<id>.json (the shim names them the same way).
inline std::string exec_socket(const std::string& id) {
  return "exec-" + id + ".sock";
}
inline std::string exec_process_file(const std::string& id) {
  return "exec-" + id + ".process.json";
}
inline std::string exec_exit_file(const std::string& id) {
  return "exec-" + id + ".json";
}

// Commands (control.sock):
//   "start"                 start the created container → "ok <pid>"
//   "kill <signal-number>"  signal the container's init → "ok" (also before "start": a created
//                           container that is never started is killed this way)
//   "resize <rows> <cols>"  set the TTY size → "ok" (a no-op without a TTY)
//   "close-stdin"           close the container's stdin → "ok" (after what is queued for it; with
//                           a TTY the terminal's EOF character, ^D, is sent instead)
//   "state"                 → "ok created <pid>" | "ok running <pid>" | "ok exited <exit-json>"
//   "wait"                  answered when the container has exited → "ok <exit-json>"
//                           (immediately if it already has); the connection stays open until then
//   "exec <id> <tty> <stdin>"  prepare exec <id> (1-64 lowercase hex; flags 0|1): listen on
//                           exec-<id>.sock → "ok" (clients connect before "exec-start")
//   "exec-start <id>"       `runtime exec -d --process exec-<id>.process.json` with pipes or a
//                           pty → "ok <pid>" once the runtime returns; on failure the exit (126,
//                           127 for a missing executable) is recorded, the clients get
//                           "OCI runtime exec failed: <message>: unknown\r\n" on stdout, and the
//                           reply is "error system <message>"
//   "wait-exec <id>"        answered when the exec's exit is recorded → "ok <exit-json>"
//   "resize-exec <id> <rows> <cols>"  the exec's TTY size → "ok"
//   "kill-exec <id> <signal-number>"  signal the exec's process while it runs (not yet reaped)
//                           → "ok" (also when it has already exited); a prepared exec never
//                           started is discarded instead → "ok" (its exit recorded as killed by
//                           the signal, 128 + n, its socket removed); "error conflict" while its
//                           runtime exec runs or for an unknown exec
//   "stats"                 → "ok drops=<n> log_bytes=<n> log_errors=<n> clients=<n>"
//                           (drops: output frames dropped for attach clients too slow to read)
//
// Attach header (attach.sock): "attach stdin=<0|1> stdout=<0|1> stderr=<0|1>\n". Without a TTY
// the shim sends Docker's stdcopy frames (8-byte header: stream, 0, 0, 0, big-endian length);
// with a TTY it sends raw bytes. The client half-closing its side closes the container's stdin
// when the container was created with StdinOnce. The shim closes attach connections after the
// container's output has been drained at exit. Each client has a 1 MiB output buffer; frames
// that do not fit are dropped for that client (counted in "stats"), never waited for.
//
// At exit the shim drains the output, writes the log, runs `<runtime> delete`, writes exit.json,
// removes its sockets, then answers the waiters and flushes attach clients (for up to 2 s).
// SIGTERM to the shim SIGKILLs the container (or aborts a `create` in progress).
//
// Exit JSON (exit.json and replies): {"exit_code":N,"oom_killed":bool,"finished_at":unix-ns,
// "pid":N}.

} // namespace berth::shim_protocol
