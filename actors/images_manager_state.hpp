// The images manager's private state and the functions its two source files share
// (images_manager.cpp: queries, tag, delete, prune; images_jobs.cpp: load, import, commit, save).
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

/// A load, import or commit in flight.
struct pending_job {
  image_job_spec::kind what = image_job_spec::kind::load;
  caf::actor job;
  std::shared_ptr<storage::content_store::lease> lease; ///< released once the outcome is recorded
  caf::typed_response_promise<load_outcome> load_reply;
  caf::typed_response_promise<std::string> import_reply;
  std::string import_reference; ///< normalized reference to tag an import or commit with, or ""
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
void job_died(images_pointer self, const caf::down_msg& msg);

} // namespace berth::actors
