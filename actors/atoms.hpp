// Berth's message vocabulary beyond CAF's predefined atoms (get, put, delete, publish, ...).
// Atom names are at most 10 characters (CAF 0.17).
#pragma once

#include <caf/atom.hpp>

namespace berth::actors {

#define BERTH_ATOM(name, text)                                                                     \
  using name = caf::atom_constant<caf::atom(text)>;                                                \
  inline constexpr name name##_v = name {}

BERTH_ATOM(counts_atom, "counts");         ///< ask a manager for its object counts
BERTH_ATOM(metrics_atom, "metrics");       ///< ask the metrics actor for the exposition text
BERTH_ATOM(run_atom, "run");               ///< run a job on the blocking pool
BERTH_ATOM(event_atom, "event");           ///< one event delivered to a subscriber
BERTH_ATOM(state_atom, "state");           ///< state store operations
BERTH_ATOM(load_atom, "load");             ///< load objects of a kind
BERTH_ATOM(commit_atom, "commit");         ///< apply a batch of changes
BERTH_ATOM(reload_atom, "reload");         ///< apply reloaded configuration
BERTH_ATOM(stop_atom, "stop");             ///< orderly stop
BERTH_ATOM(directory_atom, "directory");   ///< lookup of the managers
BERTH_ATOM(list_atom, "list");             ///< list objects
BERTH_ATOM(inspect_atom, "inspect");       ///< one object in full
BERTH_ATOM(tag_atom, "tag");               ///< add a reference
BERTH_ATOM(prune_atom, "prune");           ///< remove unused objects
BERTH_ATOM(import_atom, "import");         ///< create an image from a rootfs
BERTH_ATOM(save_atom, "save");             ///< export images
BERTH_ATOM(usage_atom, "usage");           ///< disk usage
BERTH_ATOM(resolve_atom, "resolve");       ///< look up by name or ID
BERTH_ATOM(users_atom, "users");           ///< who uses an object
BERTH_ATOM(job_done_atom, "job_done");     ///< a job actor reports its outcome
BERTH_ATOM(create_atom, "create");         ///< create an object
BERTH_ATOM(start_atom, "start");           ///< start a container
BERTH_ATOM(signal_atom, "signal");         ///< send a signal (docker kill)
BERTH_ATOM(restart_atom, "restart");       ///< restart a container
BERTH_ATOM(wait_atom, "wait");             ///< wait for a container condition
BERTH_ATOM(attach_atom, "attach");         ///< attach a client stream
BERTH_ATOM(resize_atom, "resize");         ///< resize a TTY
BERTH_ATOM(rename_atom, "rename");         ///< rename an object
BERTH_ATOM(update_atom, "update");         ///< publish a changed summary
BERTH_ATOM(removed_atom, "removed");       ///< an object is gone
BERTH_ATOM(exited_atom, "exited");         ///< a container's process ended
BERTH_ATOM(attached_atom, "attached");     ///< an attach stream is connected
BERTH_ATOM(timer_atom, "timer");           ///< a timer an actor set for itself
BERTH_ATOM(shutdown_atom, "shutdown");     ///< the daemon is stopping
BERTH_ATOM(logs_atom, "logs");             ///< where logs are
BERTH_ATOM(restore_atom, "restore");       ///< bring an object back after a daemon restart
BERTH_ATOM(ready_atom, "ready");           ///< answered once start-up work is done
BERTH_ATOM(join_atom, "join");             ///< attach a container to a network
BERTH_ATOM(leave_atom, "leave");           ///< detach a container from a network
BERTH_ATOM(unpublish_atom, "unpublish");   ///< release a container's published ports
BERTH_ATOM(connect_atom, "connect");       ///< docker network connect
BERTH_ATOM(disconnect_atom, "disconnect"); ///< docker network disconnect
BERTH_ATOM(acquire_atom, "acquire");       ///< a container takes (and creates) its volumes
BERTH_ATOM(release_atom, "release");       ///< a container gives its volumes back
BERTH_ATOM(mount_atom, "mount");           ///< a volume is mounted for a starting container
BERTH_ATOM(unmount_atom, "unmount");       ///< a stopped container no longer needs a volume
BERTH_ATOM(pause_atom, "pause");           ///< freeze a container's processes
BERTH_ATOM(unpause_atom, "unpause");       ///< thaw a paused container
BERTH_ATOM(exec_atom, "exec");             ///< docker exec: create, start, inspect, resize
BERTH_ATOM(stats_atom, "stats");           ///< docker stats: samples of a container
BERTH_ATOM(archive_atom, "archive");       ///< docker cp: a job on a container's root directory
BERTH_ATOM(health_atom, "health");         ///< a container's healthcheck monitor (internal)
BERTH_ATOM(pull_atom, "pull");             ///< docker pull: an image from a registry
BERTH_ATOM(push_atom, "push");             ///< docker push: an image to a registry

#undef BERTH_ATOM

} // namespace berth::actors
