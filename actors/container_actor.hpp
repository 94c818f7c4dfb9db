// Protocol of a container actor: one per container, owning its record and its state machine
// (created → running ⇄ paused → exited, restarting, removing, dead). It persists every change
// before replying, drives the container's shim, applies the restart policy and publishes events
// and summaries.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/typed_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/atoms.hpp"
#include "actors/container_archive.hpp"
#include "actors/container_exec.hpp"
#include "actors/container_health.hpp"
#include "actors/container_record.hpp"
#include "actors/daemon_context.hpp"
#include "base/spliceable_connection.hpp"
#include "runtime/shim_client.hpp"

namespace berth::actors {

/// POST /containers/{id}/wait?condition=
enum class wait_condition : uint8_t { not_running, next_exit, removed };

struct wait_result {
  int64_t status_code = 0;
  std::string error;
};

/// A client stream to connect to the container's stdio (attach).
struct attach_request {
  std::shared_ptr<spliceable_connection> connection;
  bool stdin = false;
  bool stdout = true;
  bool stderr = true;
  std::string detach_keys; ///< raw bytes ending the session ("" = none)
};

/// Where a container's logs are, for GET /containers/{id}/logs.
struct log_location {
  std::string path;
  bool tty = false;
  bool running = false;
  std::string log_driver;
};

/// POST /containers/{id}/update: the request body (resources, RestartPolicy) as sent.
struct container_update {
  nlohmann::json body;
};

/// POST /commit: what to make of the container's filesystem.
struct container_commit_request {
  std::string reference; ///< normalized repo:tag to tag the image with, or ""
  std::string comment;
  std::string author;
  bool pause = true;                               ///< freeze a running container meanwhile
  std::vector<std::string> changes;                ///< Dockerfile instructions (CMD, ENV, ...)
  std::optional<runtime::container_config> config; ///< the request body's Config, if one was sent
};

/// Messages (replies are errors with Docker's status when the state forbids the operation):
/// - `(restore)`: once, for a container loaded from the store: reattach to its shim or record the
///   exit it had meanwhile, start it if its restart policy says so; answered when done.
/// - `(start)`: 304 when already running.
/// - `(stop, timeout_s, signal)`: timeout -1 = the container's StopTimeout (default 10 s);
///   signal "" = StopSignal (default SIGTERM); SIGKILL after the timeout. 304 when not running.
/// - `(signal, name)`: docker kill; 409 when not running.
/// - `(restart, timeout_s, signal)`
/// - `(wait, condition)` → wait_result, answered when the condition holds.
/// - `(delete, force, volumes)`: 409 when running without force.
/// - `(attach, request)`: splices now (running) or at the next start.
/// - `(resize, rows, cols)`, `(rename, name)`, `(inspect)` → record, `(get, logs)` → location.
/// - `(connect, network)`: docker network connect (joined now when running); `(disconnect, name)`.
/// - `(exited, status)`, `(attached, id, ok)`, `(timer, kind, generation)`: internal.
/// - `(exec, create, config)` → exec ID (409 when not running); `(exec, start, id, request)`:
///   splices the client to the exec's socket, then starts it in the shim (answered at once with a
///   client stream, after the start with Detach); `(exec, inspect, id)` → exec_info;
///   `(exec, resize, id, rows, cols)`; `(exec, attached|exited, ...)`: internal.
/// - `(shutdown, stop_containers)`: the daemon is stopping.
/// - `(pause)`, `(unpause)`: through the runtime; 409 when not running / already (not) paused.
/// - `(update, container_update)` → warnings: new resources (live when running), restart policy.
/// - `(archive, archive_request)`: docker cp's job on the container's root (see
///   container_archive.hpp); answered with the job's outcome.
/// - `(health, health_event)`: internal (the healthcheck monitor's timers, probe output and exit).
/// - `(commit, container_commit_request)` → image ID: docker commit (409 while being removed).
using container_actor = caf::typed_actor<
    caf::replies_to<restore_atom>::with<void>, caf::replies_to<start_atom>::with<void>,
    caf::replies_to<stop_atom, int, std::string>::with<void>,
    caf::replies_to<signal_atom, std::string>::with<void>,
    caf::replies_to<restart_atom, int, std::string>::with<void>,
    caf::replies_to<wait_atom, wait_condition>::with<wait_result>,
    caf::replies_to<caf::delete_atom, bool, bool>::with<void>,
    caf::replies_to<attach_atom, attach_request>::with<void>,
    caf::replies_to<resize_atom, int, int>::with<void>,
    caf::replies_to<rename_atom, std::string>::with<void>,
    caf::replies_to<inspect_atom>::with<container_record>,
    caf::replies_to<caf::get_atom, logs_atom>::with<log_location>,
    caf::replies_to<connect_atom, container_network>::with<void>,
    caf::replies_to<disconnect_atom, std::string>::with<void>,
    caf::reacts_to<exited_atom, runtime::shim_exit>, caf::reacts_to<attached_atom, uint64_t, bool>,
    caf::reacts_to<timer_atom, uint8_t, uint64_t>, caf::replies_to<shutdown_atom, bool>::with<void>,
    caf::replies_to<pause_atom>::with<void>, caf::replies_to<unpause_atom>::with<void>,
    caf::replies_to<update_atom, container_update>::with<std::vector<std::string>>,
    caf::replies_to<commit_atom, container_commit_request>::with<std::string>,
    caf::replies_to<exec_atom, create_atom, exec_config>::with<std::string>,
    caf::replies_to<exec_atom, start_atom, std::string, exec_start_request>::with<void>,
    caf::replies_to<exec_atom, inspect_atom, std::string>::with<exec_info>,
    caf::replies_to<exec_atom, resize_atom, std::string, int, int>::with<void>,
    caf::reacts_to<exec_atom, attached_atom, std::string, bool>,
    caf::reacts_to<exec_atom, exited_atom, std::string, runtime::shim_exit, bool>,
    caf::replies_to<archive_atom, archive_request>::with<void>,
    caf::reacts_to<health_atom, health_event>>;

/// How a container actor starts: freshly created, or restored from the store at daemon start.
enum class container_origin : uint8_t { created, restored };

[[nodiscard]] container_actor spawn_container_actor(caf::actor_system& sys,
                                                    std::shared_ptr<const daemon_context> ctx,
                                                    container_record record,
                                                    container_origin origin);

} // namespace berth::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::wait_condition)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::wait_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::attach_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::log_location)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::container_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::container_network)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::runtime::shim_exit)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::container_update)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::archive_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::container_commit_request)
