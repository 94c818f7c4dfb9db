// The container actor's private state and the functions its source files share
// (container_actor.cpp: the behavior, persistence, events; container_run.cpp: start, exit and
// restart; container_stop.cpp: stop, kill, remove). Nothing outside the container actor includes
// this header.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <caf/response_promise.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/container_actor.hpp"
#include "actors/container_health.hpp"
#include "actors/container_lifecycle.hpp"

namespace berth::metrics {
class actor_probe;
} // namespace berth::metrics

namespace berth::net {
class dns_server;
} // namespace berth::net

namespace berth::actors {

/// Timer kinds for `(timer, kind, generation)`.
enum class container_timer : uint8_t { stop_deadline = 1, restart_backoff = 2 };

struct container_state {
  std::shared_ptr<const daemon_context> ctx;
  container_record rec;
  container_paths paths;
  std::shared_ptr<metrics::actor_probe> probe;

  // start
  bool starting = false;
  std::vector<caf::response_promise> start_replies;
  bool attaches_ready = false;
  int64_t start_began = 0; ///< monotonic ns, for the action metric

  // attach streams waiting for the next start, or connecting
  struct pending_attach {
    uint64_t id = 0;
    attach_request request;
  };
  std::vector<pending_attach> attaches;
  uint64_t next_attach_id = 1;
  size_t attaches_connecting = 0;

  // stop / kill
  bool stopping = false;
  std::vector<caf::response_promise> stop_replies;
  uint64_t stop_generation = 0;
  bool stop_emits_event = false; ///< "stop" event after the exit

  // restart policy
  uint64_t restart_generation = 0;
  int64_t restart_delay_ms = 0;
  bool restart_after_exit = false; ///< docker restart: start again once stopped
  std::vector<caf::response_promise> restart_replies;

  // removal
  bool removing = false;
  bool remove_after_exit = false;
  std::vector<caf::response_promise> remove_replies;

  // waits
  struct waiter {
    wait_condition condition;
    caf::typed_response_promise<wait_result> reply;
  };
  std::vector<waiter> waiters;

  bool watching = false; ///< an exit watch is registered with the shim
  // embedded DNS (user-defined networks): the server, and the networks its lookups search
  struct dns_networks {
    std::mutex mutex;
    std::vector<std::string> ids; ///< network IDs, in the container's endpoint order
  };
  std::shared_ptr<dns_networks> dns_view = std::make_shared<dns_networks>();
  std::shared_ptr<net::dns_server> dns;
  bool volumes_mounted = false; ///< the volumes manager mounted this container's volumes
  bool remove_volumes = false;  ///< docker rm -v: anonymous volumes go with the container

  // docker exec: the container's execs by ID (cleared at the next start and at removal)
  struct exec_entry {
    exec_config config;
    bool started = false;
    bool running = false;
    std::optional<int> exit_code;
    int pid = 0;
    exec_start_request start;          ///< the client stream while the exec starts
    caf::response_promise start_reply; ///< answered once the exec runs (Detach) or is spliced
  };
  std::map<std::string, exec_entry> execs;

  archive_gate archive; ///< docker cp jobs (container_archive.cpp)
  health_monitor health; ///< healthcheck probes (container_health.cpp)
  // docker commit: commits reading the upper directory (the container is not removed meanwhile)
  int commits = 0;

  static inline const char* name = "container";
};

using container_pointer = container_actor::stateful_pointer<container_state>;

// -- container_actor.cpp --------------------------------------------------------------------

/// Persists the record (awaited: no other message sees the state before it is stored), then
/// runs `then`.
void persist(container_pointer self, std::function<void(caf::error)> then);

/// Emits a container event with dockerd's attributes (image, name, labels) plus `extra`.
void publish_event(container_pointer self, const std::string& action,
                   std::map<std::string, std::string> extra = {});

/// Sends the current summary to the containers manager.
void publish_summary(container_pointer self);

/// Records the time of an action in engine_daemon_container_actions_seconds.
void observe_action(container_pointer self, const std::string& action, int64_t began_monotonic);

/// Answers waiters whose condition now holds.
void answer_waiters(container_pointer self, bool exited_now, bool removed);

// -- container_run.cpp ------------------------------------------------------------------------

/// Starts the container (or joins a start in progress); `reply` may be empty (restart policy).
void begin_start(container_pointer self, caf::response_promise reply);

/// Registers an attach stream: spliced now when running, else at the next start.
void add_attach(container_pointer self, attach_request request);

/// An attach splice finished connecting.
void attach_connected(container_pointer self, uint64_t id, bool ok);

/// The container's process ended (from the shim watcher, or found at restore).
void handle_exit(container_pointer self, const runtime::shim_exit& status);

/// Registers the exit watch with the shim.
void watch_exit(container_pointer self);

/// At daemon start: reconnects to a live shim or records an exit that happened meanwhile, then
/// applies the restart policy; `done` is answered when that is settled.
void restore(container_pointer self, caf::response_promise done);

/// The restart backoff timer fired.
void restart_timer(container_pointer self, uint64_t generation);

// -- container_exec.cpp ----------------------------------------------------------------------
/// docker exec: see the protocol in container_actor.hpp.
caf::result<std::string> create_exec(container_pointer self, exec_config config);
void start_exec(container_pointer self, const std::string& id, exec_start_request request,
                caf::response_promise reply);
void exec_attached(container_pointer self, const std::string& id, bool ok);
/// `known` is false when neither the shim nor its exit file could tell.
void exec_exited(container_pointer self, const std::string& id, const runtime::shim_exit& status,
                 bool known);
void inspect_exec(container_pointer self, const std::string& id,
                  caf::typed_response_promise<exec_info> reply);
void resize_exec(container_pointer self, const std::string& id, int rows, int cols,
                 caf::response_promise reply);
/// The container's execs are forgotten (a new start, or its removal).
void forget_execs(container_pointer self);
/// Adds an exec to the container's table and the daemon's index (dockerd's exec_create event).
void register_exec(container_pointer self, const std::string& id, exec_config config);
/// Who hears that a launched exec ended: runs on the shim watcher's thread with the exit, or an
/// error when neither the shim nor its exit file could tell (it sends the actor a message).
using exec_exit_sink = std::function<void(caf::expected<runtime::shim_exit>)>;
/// The shim runs a prepared exec (a client's docker exec or a healthcheck probe): the exec_start
/// event, `exec-start` (given `start_timeout`), the entry's pid, and the exit watched into
/// `on_exit`, also after a failed start (the shim recorded 126/127). `then` gets the pid, or the
/// start's error as dockerd words it ("OCI runtime exec failed: <message>: unknown"). Returns an
/// error, having done nothing, for an unknown exec or without the blocking pool.
caf::error launch_exec(container_pointer self, const std::string& id,
                       std::chrono::seconds start_timeout, exec_exit_sink on_exit,
                       std::function<void(caf::expected<int>)> then);
/// An exec's command as dockerd's exec events show it.
std::string exec_command_text(const std::vector<std::string>& cmd);
/// Blocking: writes the exec's process JSON and has the shim prepare it (its socket listens).
caf::expected<std::string> write_exec_process(const container_paths& paths,
                                              const std::vector<std::string>& group_add,
                                              const std::string& id, const exec_config& config);

// -- container_health.cpp --------------------------------------------------------------------
/// The container runs (start, restart, restore): its health is `starting` again and probes are
/// scheduled, when it has a healthcheck.
void start_health_monitor(container_pointer self);
/// The container stopped running: probes stop and a monitored health becomes unhealthy.
void stop_health_monitor(container_pointer self);
/// Paused: probes stop (unhealthy, as dockerd); unpaused: they resume.
void pause_health_monitor(container_pointer self, bool paused);
/// `(health, event)`.
void handle_health_event(container_pointer self, health_event& event);

// -- container_mounts.cpp ---------------------------------------------------------------------
/// Mounts the container's volumes (and runs copy-up into empty ones): the binds for the spec.
void mount_volumes(container_pointer self,
                   std::function<void(caf::expected<std::vector<runtime::volume_mount>>)> then);
/// After the exit (or a failed start): the volumes are unmounted for this container.
void unmount_volumes(container_pointer self, std::function<void()> then);
/// After a daemon restart, a running container's volumes are mounted for it again.
void resume_volumes(container_pointer self);
/// At removal: the container no longer uses its volumes; anonymous ones go with `remove_anonymous`.
void release_volumes(container_pointer self, bool remove_anonymous, std::function<void()> then);

// -- container_network.cpp --------------------------------------------------------------------
/// Own-namespace start: joins the container's networks (endpoints in its pinned namespace),
/// publishes its ports and starts its embedded DNS server; undone on failure.
void connect_networks(container_pointer self, std::function<void(caf::expected<start_plan>)> then);
/// Leaves every network, releases published ports, stops the DNS server (after an exit or a
/// failed start). With `namespace_gone` the veths are left to the kernel, which deletes them with
/// the container's namespace.
void release_networks(container_pointer self, bool namespace_gone, std::function<void()> then);
/// After a daemon restart, a running container's DNS server starts again.
void resume_dns(container_pointer self);
/// docker network connect: joined at once when running, else at the next start.
void connect_network(container_pointer self, container_network network,
                     caf::response_promise reply);
/// docker network disconnect (`network` is the network's name).
void disconnect_network(container_pointer self, const std::string& network,
                        caf::response_promise reply);

// -- container_stop.cpp -----------------------------------------------------------------------

/// docker stop: signal, then SIGKILL after `timeout_s`.
void begin_stop(container_pointer self, int timeout_s, const std::string& signal,
                caf::response_promise reply);

/// The stop deadline passed.
void stop_deadline(container_pointer self, uint64_t generation);

/// docker kill.
void send_signal(container_pointer self, const std::string& signal, caf::response_promise reply);

/// docker rm.
void begin_remove(container_pointer self, bool force, caf::response_promise reply);

/// Removes the container's data and record, answers waiters and quits (after exit).
void finish_remove(container_pointer self);

// -- container_pause.cpp ----------------------------------------------------------------------

/// docker pause / unpause through the runtime (`pause` true / false).
void pause_container(container_pointer self, bool pause, caf::response_promise reply);

/// docker update: new resources (applied live when running) and restart policy.
void update_container(container_pointer self, const container_update& update,
                      caf::typed_response_promise<std::vector<std::string>> reply);

/// Freezes (`pause` true) or thaws the container through the runtime, persists the state and
/// emits pause / unpause; `then` gets dockerd's error ("Cannot pause container <id>: ..."). The
/// caller checks the state first.
void set_paused(container_pointer self, bool pause, std::function<void(caf::error)> then);

/// A paused container is thawed (after a signal to it was queued, so a stop or kill takes effect).
void resume_if_paused(container_pointer self, std::function<void()> then);

// -- container_archive.cpp --------------------------------------------------------------------

/// docker cp: queues the job, runs it on the container's root when it may.
void request_archive(container_pointer self, archive_request request, caf::response_promise reply);
/// A start or removal that must wait for archive jobs: true when it was deferred (it is resumed
/// when the last job ends).
[[nodiscard]] bool archive_defers_start(container_pointer self);
[[nodiscard]] bool archive_defers_remove(container_pointer self);
/// A start ended (running or failed): jobs waiting for it go on.
void archive_resume(container_pointer self);

// -- container_mounts.cpp (docker cp) ---------------------------------------------------------
/// Mounts the volumes of a stopped container for a docker cp view (no copy-up); released with
/// unmount_volumes.
void mount_volumes_for_view(
    container_pointer self,
    std::function<void(caf::expected<std::vector<runtime::volume_mount>>)> then);
// -- container_commit.cpp ---------------------------------------------------------------------

/// docker commit: freezes a running container (unless asked not to), has the images manager store
/// its upper directory as a layer on its image, thaws it, emits `commit`.
void commit_container(container_pointer self, container_commit_request request,
                      caf::typed_response_promise<std::string> reply);

} // namespace berth::actors
