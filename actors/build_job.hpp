// Protocol of a build job: one actor per `POST /build` (the classic builder). It unpacks the
// context on the blocking pool, parses the Dockerfile, then runs the steps in order, as dockerd's
// builder/dockerfile does:
//   - metadata steps (ENV, CMD, LABEL, ...) make a child image with no layer;
//   - RUN creates a container from the previous step's image through the containers manager,
//     starts it, streams its output, waits for its exit and commits its upper directory through
//     the images manager, then removes the container;
//   - COPY/ADD write the sources into a fresh directory (no container) that the images manager
//     stores as a layer;
//   - each step first probes the build cache: an image whose parent is the current image and
//     whose container_config (with the "#(nop)" or RUN command) is the step's;
//   - a FROM (or COPY --from) image that is not local is pulled through the images manager
//     first, with the client's X-Registry-Config credentials, its progress in the output.
// Output goes to `emit` as Docker's JSON message lines; `done` is called exactly once at the end.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/error.hpp>

#include "base/byte_source.hpp"
#include "registry/credentials.hpp"

namespace berth::distribution {
class progress_output;
} // namespace berth::distribution

namespace berth::metrics {
class daemon_probes;
} // namespace berth::metrics

namespace berth::actors {

/// The query parameters of POST /build that the classic builder uses.
struct build_options {
  std::string dockerfile = "Dockerfile";
  std::vector<std::string> tags; ///< normalized references ("docker.io/library/x:latest")
  std::map<std::string, std::optional<std::string>> build_args;
  std::map<std::string, std::string> labels;
  std::string target;
  bool no_cache = false;
  bool pull = false; ///< pull FROM images even when they are local
  /// X-Registry-Config: credentials for the registries FROM and COPY --from images come from.
  registry::registry_auth_configs registry_auths;
  bool remove = true;        ///< rm: remove intermediate containers after a successful step
  bool force_remove = false; ///< forcerm: also after a failed one
  std::string network_mode;  ///< "" = default
  int64_t shm_size = 0;
  int64_t memory = 0;
  int64_t memory_swap = 0;
  int64_t cpu_shares = 0;
  int64_t cpu_period = 0;
  int64_t cpu_quota = 0;
  std::string cpuset_cpus;
  std::string cpuset_mems;
  std::string cgroup_parent;
  std::vector<std::string> extra_hosts;
};

/// What a build job needs from the daemon.
struct build_setup {
  std::string data_root; ///< the context is unpacked under <data_root>/builder
  std::string exec_root;
  metrics::daemon_probes* probes = nullptr; ///< lives as long as the daemon; may be null
};

/// One build.
struct build_request {
  std::shared_ptr<byte_source> context; ///< the context tar (possibly compressed)
  build_options options;
  /// Receives each output line (a JSON object and "\n"), all of them: q=1 is the route's (it holds
  /// them and shows them only when the build fails). Called from the job's actor and from the
  /// thread following a RUN's output.
  std::function<void(std::string)> emit;
  /// Called once at the end: the image ID, or the error that stopped the build (its message is
  /// what dockerd sends as errorDetail).
  std::function<void(caf::expected<std::string>)> done;
  /// Where the progress of pulls of FROM images goes (thread-safe); null discards it.
  std::shared_ptr<distribution::progress_output> pull_output;
  /// Requested when the client goes away: the build is canceled (a pull in progress stops, a
  /// running RUN's container is removed, any other step ends the build once it is done).
  std::stop_token stop;
};

/// Spawns the job; it runs the build and quits.
caf::actor spawn_build_job(caf::actor_system& sys, build_setup setup, build_request request);

} // namespace berth::actors
