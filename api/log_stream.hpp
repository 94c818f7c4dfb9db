// GET /containers/{id}/logs: the container's json-file log, filtered (streams, since, until,
// tail), framed (stdcopy without a TTY, raw with one), optionally with timestamps, and with
// `follow` tailed until the container stops or the client leaves. Runs on a detached actor (its
// own thread): reading files and waiting on inotify never touch the scheduler.
#pragma once

#include <cstdint>

#include "actors/container_actor.hpp"
#include "api/exchange.hpp"

namespace berth::api {

struct log_request {
  bool stdout = false;
  bool stderr = false;
  bool timestamps = false;
  bool follow = false;
  int64_t since = 0; ///< unix ns, 0 = from the start
  int64_t until = 0; ///< unix ns, 0 = no end
  int64_t tail = -1; ///< last N lines, -1 = all
};

/// Streams the logs of the container at `location`; `container` is asked for its exit when
/// following a running container.
void serve_logs(const exchange_ptr& ex, const actors::log_location& location, log_request req,
                actors::container_actor container);

} // namespace berth::api
