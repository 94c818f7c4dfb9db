// The images manager's jobs: load, import, commit and pull run as job actors; save streams an
// archive from the blocking pool. Finished jobs are persisted here, all or nothing.
#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/blocking_pool.hpp"
#include "actors/directory.hpp"
#include "actors/images_manager_state.hpp"
#include "base/log.hpp"
#include "base/time.hpp"
#include "storage/content_store.hpp"
#include "storage/image_export.hpp"
#include "storage/reference.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"images"};

std::set<std::string> present_chains(const images_state& st) {
  std::set<std::string> out;
  for (const auto& [chain, l] : st.index.layers())
    out.insert(chain);
  return out;
}

} // namespace

uint64_t launch_job(images_pointer self, image_job_spec spec, pending_job pending) {
  auto id = self->state.next_job++;
  spec.id = id;
  spec.present_chains = present_chains(self->state);
  spec.content = self->state.ctx->content;
  spec.layers = self->state.ctx->layers;
  spec.lease = self->state.ctx->content->make_lease();
  pending.lease = spec.lease;
  pending.job = spawn_image_job(self->system(), std::move(spec),
                                caf::actor_cast<caf::strong_actor_ptr>(self));
  self->monitor(pending.job);
  self->state.jobs.emplace(id, std::move(pending));
  return id;
}

namespace {

void fail_job(images_pointer self, pending_job& job, const caf::error& err) {
  if (job.what == image_job_spec::kind::load)
    job.load_reply.deliver(err);
  else if (job.what == image_job_spec::kind::pull)
    pull_failed(self, job, err);
  else
    job.import_reply.deliver(err);
}

} // namespace

caf::result<load_outcome> start_load(images_pointer self, load_request req) {
  pending_job pending;
  pending.what = image_job_spec::kind::load;
  pending.load_reply = self->make_response_promise<load_outcome>();
  auto reply = pending.load_reply;
  image_job_spec spec;
  spec.what = image_job_spec::kind::load;
  spec.body = std::move(req.body);
  launch_job(self, std::move(spec), std::move(pending));
  return reply;
}

namespace {

// An import or a commit: one image, tagged with `reference` ("" = none), its ID the answer.
caf::result<std::string> launch_image_job(images_pointer self, image_job_spec spec,
                                          std::string reference) {
  pending_job pending;
  pending.what = spec.what;
  pending.import_reference = std::move(reference);
  pending.import_reply = self->make_response_promise<std::string>();
  auto reply = pending.import_reply;
  launch_job(self, std::move(spec), std::move(pending));
  return reply;
}

} // namespace

caf::result<std::string> start_import(images_pointer self, import_request req) {
  auto reference = storage::repo_tag_reference(req.repo, req.tag);
  if (!reference) return reference.error();
  image_job_spec spec;
  spec.what = image_job_spec::kind::import;
  spec.body = std::move(req.body);
  spec.message = std::move(req.message);
  spec.changes = std::move(req.changes);
  return launch_image_job(self, std::move(spec), std::move(*reference));
}

caf::result<std::string> start_commit(images_pointer self, image_commit_request req) {
  image_job_spec spec;
  if (!req.parent_id.empty()) {
    const auto* parent = self->state.index.image(req.parent_id);
    if (!parent) return storage::no_such_image(req.parent_id);
    spec.parent = *parent;
  }
  spec.what = image_job_spec::kind::commit;
  spec.upper_dir = std::move(req.upper_dir);
  spec.lower_dirs = std::move(req.lower_dirs);
  spec.child = std::move(req.child);
  return launch_image_job(self, std::move(spec), std::move(req.reference));
}

void finish_job(images_pointer self, uint64_t id, image_job_outcome outcome) {
  auto it = self->state.jobs.find(id);
  if (it == self->state.jobs.end()) return;
  auto job = std::move(it->second);
  self->state.jobs.erase(it);
  self->demonitor(job.job);
  if (outcome.error) {
    lg.info("image job failed", {{"error", error_message(outcome.error)}});
    fail_job(self, job, outcome.error);
    job.lease->release();
    remove_layers_and_collect(self, std::move(outcome.new_layers));
    return;
  }
  // A delete that ran meanwhile may have removed a layer this job found present: fail rather than
  // register an image with a missing layer (the client can simply retry).
  std::set<std::string> new_chains;
  for (const auto& l : outcome.new_layers)
    new_chains.insert(l.chain_id);
  for (const auto& img : outcome.images)
    for (const auto& chain : img.image.chain_ids)
      if (!new_chains.count(chain) && !self->state.index.layer(chain)) {
        fail_job(self, job,
                 make_error(errc::conflict, "layer " + chain +
                                                " was removed while the image was being "
                                                "stored; try again"));
        job.lease->release();
        remove_layers_and_collect(self, std::move(outcome.new_layers));
        return;
      }
  // Layers unpacked twice by concurrent jobs: keep the one already registered.
  std::vector<storage::layer_record> duplicates;
  std::vector<storage::state_op> ops;
  std::vector<storage::layer_record> fresh;
  for (auto& l : outcome.new_layers) {
    if (self->state.index.layer(l.chain_id)) {
      duplicates.push_back(std::move(l));
      continue;
    }
    ops.push_back(storage::state_op::put(kind_layer, l.chain_id, storage::to_state_json(l)));
    fresh.push_back(std::move(l));
  }
  auto now = unix_nanos_now();
  const bool pull = job.what == image_job_spec::kind::pull;
  // A pull updates nothing when its tag (or digest) already named the image (dockerd).
  bool updated = false;
  for (auto& img : outcome.images) {
    if (job.what != image_job_spec::kind::load && !job.import_reference.empty())
      img.tags.push_back(job.import_reference);
    if (pull) {
      if (img.tags.empty() || self->state.index.reference_target(img.tags.front()) != img.image.id)
        updated = true;
      // A pull does not touch the record of an image the store has (tag time, parent).
      if (const auto* existing = self->state.index.image(img.image.id)) {
        img.image = *existing;
      } else {
        ops.push_back(
            storage::state_op::put(kind_image, img.image.id, storage::to_state_json(img.image)));
      }
    } else {
      if (!img.tags.empty()) img.image.last_tag_nanos = now;
      ops.push_back(
          storage::state_op::put(kind_image, img.image.id, storage::to_state_json(img.image)));
    }
    for (const auto& tag : img.tags)
      ops.push_back(storage::state_op::put(kind_reference, tag,
                                           nlohmann::json{{"image", img.image.id}}.dump()));
  }
  persist(self, std::move(ops),
          [self, job, outcome = std::move(outcome), fresh = std::move(fresh),
           duplicates = std::move(duplicates), updated](caf::error err) mutable {
            if (err) {
              fail_job(self, job, err);
              job.lease->release();
              for (auto& l : fresh)
                duplicates.push_back(std::move(l));
              remove_layers_and_collect(self, std::move(duplicates));
              return;
            }
            for (auto& l : fresh)
              self->state.index.put_layer(std::move(l));
            load_outcome lines;
            for (auto& img : outcome.images) {
              const auto image_id = img.image.id;
              self->state.index.put_image(img.image);
              for (const auto& tag : img.tags)
                self->state.index.set_reference(tag, image_id);
              if (job.what == image_job_spec::kind::load) {
                publish_image_event(self, "load", image_id, image_id);
                for (const auto& tag : img.tags)
                  lines.lines.push_back("Loaded image: " + storage::familiar_text(tag));
                if (img.tags.empty()) lines.lines.push_back("Loaded image ID: " + image_id);
              } else if (job.what == image_job_spec::kind::pull) {
                // One pull event for the whole pull, below.
              } else {
                // dockerd: "import" for an import, "create" for a committed image.
                publish_image_event(self,
                                    job.what == image_job_spec::kind::import ? "import" : "create",
                                    image_id, image_id);
                for (const auto& tag : img.tags)
                  publish_image_event(self, "tag", image_id, storage::familiar_text(tag));
              }
            }
            if (job.what == image_job_spec::kind::load)
              job.load_reply.deliver(std::move(lines));
            else if (job.what == image_job_spec::kind::pull)
              pull_recorded(self, job, updated);
            else
              job.import_reply.deliver(outcome.images.front().image.id);
            job.lease->release(); // the index references what the job stored now
            remove_layers_and_collect(self, std::move(duplicates));
          });
}

void job_died(images_pointer self, const caf::down_msg& msg) {
  for (auto it = self->state.jobs.begin(); it != self->state.jobs.end(); ++it) {
    if (it->second.job.address() != msg.source) continue;
    lg.error("image job died", {{"reason", caf::to_string(msg.reason)}});
    fail_job(self, it->second, make_error(errc::internal, "the image job failed unexpectedly"));
    it->second.lease->release();
    self->state.jobs.erase(it);
    remove_layers_and_collect(self, {});
    return;
  }
}

caf::result<void> start_save(images_pointer self, save_request req) {
  if (req.names.empty()) return make_error(errc::invalid_argument, "no images to save");
  // Copies of the records: the index may change while the archive streams.
  struct snapshot {
    std::vector<storage::image_record> images;
    std::vector<std::vector<storage::layer_record>> layers;
    std::vector<std::vector<std::string>> tags;
  };
  auto snap = std::make_shared<snapshot>();
  std::map<std::string, size_t> position;
  for (const auto& name : req.names) {
    auto found = self->state.index.resolve(name);
    if (!found) return found.error();
    const auto& img = *found->image;
    auto [pos, fresh] = position.emplace(img.id, snap->images.size());
    if (fresh) {
      snap->images.push_back(img);
      std::vector<storage::layer_record> layers;
      for (const auto& chain : img.chain_ids) {
        const auto* l = self->state.index.layer(chain);
        if (!l) return make_error(errc::internal, "image " + img.id + " is missing layer " + chain);
        layers.push_back(*l);
      }
      snap->layers.push_back(std::move(layers));
      snap->tags.emplace_back();
    }
    if (!found->reference.empty()) snap->tags[pos->second].push_back(found->reference);
  }
  auto pool = blocking_pool_of(self);
  if (!pool) return make_error(errc::unavailable, "the blocking pool is not running");
  auto rp = self->make_response_promise();
  auto content = self->state.ctx->content;
  // The blobs stay while the archive streams, even if the images are deleted meanwhile.
  auto lease = content->make_lease();
  for (size_t i = 0; i < snap->images.size(); ++i) {
    lease->add(snap->images[i].id);
    for (const auto& l : snap->layers[i])
      lease->add(l.blob_digest);
  }
  auto out = std::move(req.out);
  run_blocking(
      self, pool,
      [snap, content, out, lease]() -> caf::error {
        std::vector<storage::export_image> exports;
        for (size_t i = 0; i < snap->images.size(); ++i) {
          storage::export_image e;
          e.image = &snap->images[i];
          for (const auto& l : snap->layers[i])
            e.layers.push_back(&l);
          e.tags = snap->tags[i];
          exports.push_back(std::move(e));
        }
        return storage::write_image_archive(exports, *content, *out);
      },
      [rp](caf::error err) mutable {
        if (err)
          rp.deliver(err);
        else
          rp.deliver(caf::unit);
      });
  return rp;
}

} // namespace berth::actors
