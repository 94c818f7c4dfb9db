// The images manager's side of registries: a pull runs as a job actor whose outcome is recorded
// like a load's (images_jobs.cpp); a push runs on a thread of its own over copies of the records
// and its blobs under a lease, and then records the repository digests the registry answered.
#include <caf/actor_cast.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/images_manager_state.hpp"
#include "actors/own_thread.hpp"
#include "base/log.hpp"
#include "base/time.hpp"
#include "distribution/image_push.hpp"
#include "distribution/registry_service.hpp"
#include "metrics/daemon_probes.hpp"
#include "storage/reference.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"images"};

double seconds_since(int64_t began_monotonic) {
  return static_cast<double>(monotonic_nanos() - began_monotonic) / 1e9;
}

std::set<std::string> present_images(const images_state& st) {
  std::set<std::string> out;
  for (const auto& [id, img] : st.index.images())
    out.insert(id);
  return out;
}

caf::error registry_unavailable() {
  return make_error(errc::unavailable, "registry access is not configured in this daemon");
}

// The tags the store has for `repository`'s name (its own tag ignored), sorted.
std::vector<std::string> local_tags(const images_state& st, const storage::reference& repository) {
  std::vector<std::string> out;
  auto prefix = repository.name() + ":";
  for (const auto& [ref, id] : st.index.references())
    if (ref.starts_with(prefix) && ref.find('@') == std::string::npos)
      out.push_back(ref.substr(prefix.size()));
  return out;
}

// Copies of the records a push of `ref` (no digest: start_push refuses one) needs, the blobs
// leased for as long as it runs.
caf::expected<std::vector<distribution::push_item>> push_items(const images_state& st,
                                                               const storage::reference& ref,
                                                               storage::content_store::lease& l) {
  auto tags = local_tags(st, ref);
  if (tags.empty())
    return make_error(errc::not_found,
                      "An image does not exist locally with the tag: " + ref.familiar_name());
  if (!ref.tag.empty()) tags = {ref.tag};
  std::vector<distribution::push_item> items;
  for (const auto& tag : tags) {
    auto tagged = ref;
    tagged.tag = tag;
    auto id = st.index.reference_target(tagged.string());
    const auto* img = id.empty() ? nullptr : st.index.image(id);
    if (!img) return make_error(errc::not_found, "tag does not exist: " + tagged.familiar_string());
    distribution::push_item item{tag, *img, {}};
    l.add(img->id);
    for (const auto& chain : img->chain_ids) {
      const auto* layer = st.index.layer(chain);
      if (!layer)
        return make_error(errc::internal, "image " + img->id + " is missing layer " + chain);
      l.add(layer->blob_digest);
      item.layers.push_back(*layer);
    }
    items.push_back(std::move(item));
  }
  return items;
}

// Records `name@digest` for every pushed tag (dockerd's addDigestReference), then the event.
void record_push(images_pointer self, const storage::reference& ref,
                 const std::vector<distribution::pushed_tag>& pushed, caf::response_promise rp) {
  std::vector<storage::state_op> ops;
  std::vector<std::pair<std::string, std::string>> refs;
  for (const auto& p : pushed) {
    auto digest_ref = ref.name() + "@" + p.digest;
    if (!self->state.index.image(p.image_id)) continue; // deleted meanwhile
    refs.emplace_back(digest_ref, p.image_id);
    ops.push_back(storage::state_op::put(kind_reference, digest_ref,
                                         nlohmann::json{{"image", p.image_id}}.dump()));
  }
  persist(self, std::move(ops), [self, refs, ref, rp](caf::error err) mutable {
    if (err) {
      rp.deliver(err);
      return;
    }
    for (const auto& [r, id] : refs)
      self->state.index.set_reference(r, id);
    publish_image_event(self, "push", ref.familiar_string(), ref.familiar_name());
    rp.deliver(caf::unit);
  });
}

} // namespace

caf::result<image_pull_outcome> start_pull(images_pointer self, image_pull_request req) {
  auto service = self->state.ctx->registry;
  if (!service) return registry_unavailable();
  auto input = std::make_shared<pull_job_input>();
  input->request = {req.ref, req.platform, std::move(req.credentials)};
  input->service = service;
  input->progress = std::make_shared<distribution::progress_reporter>(req.progress);
  input->stop = req.stop;
  input->present_images = present_images(self->state);
  pending_job pending;
  pending.what = image_job_spec::kind::pull;
  pending.pull_reply = self->make_response_promise<image_pull_outcome>();
  pending.progress = input->progress;
  pending.pull_reference = req.ref;
  pending.started_nanos = monotonic_nanos();
  auto reply = pending.pull_reply;
  image_job_spec spec;
  spec.what = image_job_spec::kind::pull;
  spec.pull = std::move(input);
  launch_job(self, std::move(spec), std::move(pending));
  return reply;
}

void pull_recorded(images_pointer self, pending_job& job, bool updated) {
  const auto& ref = job.pull_reference;
  job.progress->message(
      "", (updated ? "Status: Downloaded newer image for " : "Status: Image is up to date for ") +
              ref.familiar_string());
  publish_image_event(self, "pull", ref.familiar_string(), ref.familiar_name());
  auto seconds = seconds_since(job.started_nanos);
  if (auto& probe = self->state.ctx->probes->images()) {
    probe->observe_action("pull", seconds);
    probe->observe_pull(seconds);
  }
  lg.info("image pulled", {{"reference", ref.familiar_string()},
                           {"updated", updated ? "true" : "false"},
                           {"duration_ms", seconds * 1000}});
  job.pull_reply.deliver(image_pull_outcome{updated});
}

void pull_failed(images_pointer self, pending_job& job, const caf::error& err) {
  if (auto& probe = self->state.ctx->probes->images())
    probe->observe_action("pull", seconds_since(job.started_nanos));
  job.pull_reply.deliver(err);
}

caf::result<void> start_push(images_pointer self, image_push_request req) {
  auto service = self->state.ctx->registry;
  if (!service) return registry_unavailable();
  if (!req.ref.digest.empty())
    return make_error(errc::invalid_argument, "cannot push a digest reference");
  auto lease = self->state.ctx->content->make_lease();
  auto items = push_items(self->state, req.ref, *lease);
  if (!items) return std::move(items.error());
  auto input = std::make_shared<distribution::push_request>();
  input->repository = req.ref;
  input->repository.tag.clear();
  input->items = std::move(*items);
  input->credentials = std::move(req.credentials);
  distribution::push_context ctx{service, self->state.ctx->content,
                                 std::make_shared<distribution::progress_reporter>(req.progress),
                                 req.stop};
  auto rp = self->make_response_promise();
  auto began = monotonic_nanos();
  auto ref = req.ref;
  run_on_own_thread(
      self,
      [input, ctx]() -> caf::expected<std::vector<distribution::pushed_tag>> {
        return distribution::push_image(*input, ctx);
      },
      [self, rp, lease, ref,
       began](caf::expected<std::vector<distribution::pushed_tag>> pushed) mutable {
        if (auto& probe = self->state.ctx->probes->images())
          probe->observe_action("push", seconds_since(began));
        lease->release();
        if (!pushed) {
          rp.deliver(pushed.error());
          return;
        }
        record_push(self, ref, *pushed, rp);
      });
  return rp;
}

} // namespace berth::actors
