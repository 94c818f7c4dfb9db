// The images manager's private state and the functions its source files share
// (images_manager.cpp: queries, tag, delete, prune; images_jobs.cpp: load, import, commit, save
// and the outcome of jobs; images_registry.cpp: pull and push).
// Nothing outside the images manager includes this header.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/typed_response_promise.hpp>

#include "actors/images_manager.hpp"
#include "storage/content_store.hpp"
#include "storage/image_index.hpp"
#include "storage/state_store.hpp"

namespace berth::metrics {
class actor_probe;
} // namespace berth::metrics

namespace berth::actors {

// State store kinds.
inline constexpr const char* kind_image = "image";
inline constexpr const char* kind_layer = "layer";
inline constexpr const char* kind_reference = "reference";

/// A load, import, commit or pull in flight.
struct pending_job {
  image_job_spec::kind what = image_job_spec::kind::load;
  caf::actor job;
  std::shared_ptr<storage::content_store::lease> lease; ///< released once the outcome is recorded
  caf::typed_response_promise<load_outcome> load_reply;
  caf::typed_response_promise<std::string> import_reply;
  std::string import_reference; ///< normalized reference to tag an import or commit with, or ""
  // pull only
  caf::typed_response_promise<image_pull_outcome> pull_reply;
  std::shared_ptr<distribution::progress_reporter> progress;
  storage::reference pull_reference; ///< as requested (for the status line and the event)
  int64_t started_nanos = 0;         ///< monotonic, for the metrics
};

struct images_state {
  std::shared_ptr<const daemon_context> ctx;
  storage::image_index index;
  bool ready = false;
  uint64_t next_job = 1;
  std::map<uint64_t, pending_job> jobs;
  std::shared_ptr<metrics::actor_probe> probe;
  static inline const char* name = "images";
};

using images_pointer = images_manager_actor::stateful_pointer<images_state>;

/// A snapshot of `img` for the API.
[[nodiscard]] image_view make_view(const images_state& st, const storage::image_record& img);

/// Commits `ops` to the state store (no other message is handled meanwhile), then runs `then`.
void persist(images_pointer self, std::vector<storage::state_op> ops,
             std::function<void(caf::error)> then);

/// Emits an image event (dockerd's shape: actor ID = image ID, attribute "name").
void publish_image_event(images_pointer self, const std::string& action, const std::string& id,
                         const std::string& name);

/// Removes layer directories (off the scheduler), then collects unreferenced blobs: awaited, so
/// the index cannot change while the referenced set is in use; blobs of jobs in flight are
/// protected by their leases. `removed` runs once the directories are gone (rmi answers then).
void remove_layers_and_collect(images_pointer self, std::vector<storage::layer_record> doomed,
                               std::function<void()> removed = {});

// Jobs (images_jobs.cpp).
[[nodiscard]] caf::result<load_outcome> start_load(images_pointer self, load_request req);
[[nodiscard]] caf::result<std::string> start_import(images_pointer self, import_request req);
[[nodiscard]] caf::result<std::string> start_commit(images_pointer self, image_commit_request req);
[[nodiscard]] caf::result<void> start_save(images_pointer self, save_request req);
void finish_job(images_pointer self, uint64_t id, image_job_outcome outcome);

// Registries (images_registry.cpp).
[[nodiscard]] caf::result<image_pull_outcome> start_pull(images_pointer self,
                                                         image_pull_request req);
[[nodiscard]] caf::result<void> start_push(images_pointer self, image_push_request req);
/// After a pull's outcome is recorded: the status line, the event, the metrics, the reply.
void pull_recorded(images_pointer self, pending_job& job, bool updated);
/// A pull that failed: the metrics and the reply.
void pull_failed(images_pointer self, pending_job& job, const caf::error& err);

/// Starts a job actor for `spec` and registers `pending` (images_jobs.cpp).
uint64_t launch_job(images_pointer self, image_job_spec spec, pending_job pending);
void job_died(images_pointer self, const caf::down_msg& msg);

} // namespace berth::actors
