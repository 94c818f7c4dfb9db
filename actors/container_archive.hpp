// docker cp through the container actor: what a route asks (a job to run on the container's root
// directory) and how the actor keeps such jobs apart from starts and removals.
//
// A running container's jobs get its own root (/proc/<pid>/root) and may run side by side. A
// stopped container's job gets its layers and volumes mounted in a private mount namespace,
// one job at a time (the overlay's upper directory can serve one mount only). While any job holds
// a root, a start (docker start, restart policy) and a removal wait: they go on when the last
// job ends, as dockerd's container lock makes them wait. Jobs that arrive while the container
// starts wait for the start to end; a container being removed refuses them.
#pragma once

#include <deque>
#include <functional>
#include <string>

#include <caf/error.hpp>
#include <caf/response_promise.hpp>

#include "actors/container_record.hpp"

namespace berth::actors {

/// Blocking work on a container's root directory (an open descriptor) and its record at the
/// time; runs on a thread of its own (and the private namespace's thread for a stopped
/// container), since it may go at a client's pace.
using archive_job = std::function<caf::error(int root_fd, const container_record& rec)>;

/// `(archive, archive_request)`: runs `job` on the container's root; answered when it is done.
struct archive_request {
  archive_job job;
  std::string event; ///< the container event emitted after a success ("" = none)
};

/// The container actor's bookkeeping of archive jobs (private to the actor).
struct archive_gate {
  struct pending {
    archive_request request;
    caf::response_promise reply;
  };
  std::deque<pending> queue;    ///< jobs waiting for the root
  unsigned active = 0;          ///< jobs holding a root
  bool exclusive = false;       ///< the active job holds a stopped container's private view
  bool start_deferred = false;  ///< a start waits for the jobs to end
  bool remove_deferred = false; ///< a removal waits for the jobs to end
};

} // namespace berth::actors
