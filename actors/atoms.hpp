// Berth's message vocabulary beyond CAF's predefined atoms (get, put, delete, publish, ...).
// Atom names are at most 10 characters (CAF 0.17).
#pragma once

#include <caf/atom.hpp>

namespace berth::actors {

#define BERTH_ATOM(name, text)                                                                     \
  using name = caf::atom_constant<caf::atom(text)>;                                                \
  inline constexpr name name##_v = name {}

BERTH_ATOM(counts_atom, "counts");       ///< ask a manager for its object counts
BERTH_ATOM(metrics_atom, "metrics");     ///< ask the metrics actor for the exposition text
BERTH_ATOM(run_atom, "run");             ///< run a job on the blocking pool
BERTH_ATOM(event_atom, "event");         ///< one event delivered to a subscriber
BERTH_ATOM(state_atom, "state");         ///< state store operations
BERTH_ATOM(load_atom, "load");           ///< load objects of a kind
BERTH_ATOM(commit_atom, "commit");       ///< apply a batch of changes
BERTH_ATOM(reload_atom, "reload");       ///< apply reloaded configuration
BERTH_ATOM(stop_atom, "stop");           ///< orderly stop
BERTH_ATOM(directory_atom, "directory"); ///< lookup of the managers
BERTH_ATOM(list_atom, "list");           ///< list objects
BERTH_ATOM(inspect_atom, "inspect");     ///< one object in full
BERTH_ATOM(tag_atom, "tag");             ///< add a reference
BERTH_ATOM(prune_atom, "prune");         ///< remove unused objects
BERTH_ATOM(import_atom, "import");       ///< create an image from a rootfs
BERTH_ATOM(save_atom, "save");           ///< export images
BERTH_ATOM(usage_atom, "usage");         ///< disk usage
BERTH_ATOM(resolve_atom, "resolve");     ///< look up by name or ID
BERTH_ATOM(users_atom, "users");         ///< who uses an object
BERTH_ATOM(job_done_atom, "job_done");   ///< a job actor reports its outcome

#undef BERTH_ATOM

} // namespace berth::actors
