// One load, import, commit or pull, as its own actor: it runs the blocking work (reading the
// archive or talking to the registry, storing blobs, unpacking layers) off the scheduler —
// loads, imports and commits on the blocking pool, a pull (minutes, mostly waiting for the
// network) on a thread of its own — and reports the outcome to the images manager, which
// persists it. A job that dies is noticed by the manager through its monitor.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/error.hpp>
#include <caf/fwd.hpp>

#include "base/byte_source.hpp"
#include "distribution/image_pull.hpp"
#include "storage/content_store.hpp"
#include "storage/image_commit.hpp"
#include "storage/image_record.hpp"
#include "storage/layer_store.hpp"
#include "storage/layer_unpack.hpp"

namespace berth::actors {

/// An image a job produced, with the references it should get.
struct job_image {
  storage::image_record image;
  std::vector<std::string> tags; ///< normalized references
};

/// What a finished job hands to the images manager.
struct image_job_outcome {
  caf::error error; ///< set when the job failed
  std::vector<job_image> images;
  std::vector<storage::layer_record> new_layers; ///< unpacked by this job, bottom first
};

/// What a pull job needs beyond the common fields.
struct pull_job_input {
  distribution::pull_request request;
  std::shared_ptr<distribution::registry_service> service;
  std::shared_ptr<distribution::progress_reporter> progress;
  std::stop_token stop; ///< the client went away, or the daemon stops
  std::set<std::string> present_images;
};

/// The work of a job.
struct image_job_spec {
  enum class kind : uint8_t { load, import, commit, pull } what = kind::load;
  uint64_t id = 0;
  std::shared_ptr<byte_source> body;
  std::set<std::string> present_chains; ///< layers the store had when the job started
  std::shared_ptr<storage::content_store> content;
  std::shared_ptr<storage::layer_store> layers;
  std::shared_ptr<storage::content_store::lease> lease; ///< protects what the job stores
  storage::unpack_limits limits;
  // import only
  std::string message;
  std::vector<std::string> changes;
  // commit only
  std::string upper_dir;                       ///< the container's overlay upper directory
  std::vector<std::string> lower_dirs;         ///< its image's layer directories, top-most first
  std::optional<storage::image_record> parent; ///< the container's image
  storage::child_image_options child; ///< config and history entry (the job sets layer and time)
  // pull only
  std::shared_ptr<pull_job_input> pull;
};

/// Spawns a job that reports `(job_done_atom, id, outcome)` to `manager` and then quits.
caf::actor spawn_image_job(caf::actor_system& sys, image_job_spec spec,
                           caf::strong_actor_ptr manager);

} // namespace berth::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::image_job_outcome)
