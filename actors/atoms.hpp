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

#undef BERTH_ATOM

} // namespace berth::actors
