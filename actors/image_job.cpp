// One load, import or commit job.
#include "actors/image_job.hpp"

#include <malloc.h>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/blocking_pool.hpp"
#include "actors/directory.hpp"
#include "actors/own_thread.hpp"
#include "base/time.hpp"
#include "storage/image_archive.hpp"
#include "storage/image_commit.hpp"
#include "storage/image_import.hpp"
#include "storage/image_layers.hpp"

namespace berth::actors {

namespace {

// Reads a load archive and unpacks every layer the store does not have yet.
image_job_outcome run_load(const image_job_spec& spec) {
  storage::content_store::lease::scope leased{spec.lease.get()};
  image_job_outcome out;
  auto archive = storage::read_image_archive(*spec.body, *spec.content, storage::archive_limits{});
  if (!archive) {
    out.error = archive.error();
    return out;
  }
  auto present = spec.present_chains;
  for (auto& found : *archive) {
    auto image = storage::image_record::from_config(found.config_json);
    if (!image) {
      out.error = image.error();
      return out;
    }
    image->manifest_digest = found.manifest_digest;
    std::vector<storage::layer_blob> blobs;
    for (const auto& l : found.layers)
      blobs.push_back({l.blob_digest, l.media_type});
    auto created = storage::unpack_image_layers(image->diff_ids, blobs, present, *spec.content,
                                                *spec.layers, spec.limits);
    if (!created) {
      out.error = created.error();
      return out;
    }
    for (auto& l : *created) {
      present.insert(l.chain_id);
      out.new_layers.push_back(std::move(l));
    }
    out.images.push_back({std::move(*image), std::move(found.tags)});
  }
  return out;
}

image_job_outcome run_import(const image_job_spec& spec) {
  storage::content_store::lease::scope leased{spec.lease.get()};
  image_job_outcome out;
  storage::import_options opts;
  opts.message = spec.message;
  opts.changes = spec.changes;
  opts.now_nanos = unix_nanos_now();
  auto imported = storage::import_rootfs(*spec.body, *spec.content, *spec.layers,
                                         spec.present_chains, spec.limits, opts);
  if (!imported) {
    out.error = imported.error();
    return out;
  }
  out.new_layers = std::move(imported->new_layers);
  out.images.push_back({std::move(imported->image), {}});
  return out;
}

// Stores a container's upper directory as a layer on its image and makes the child image.
image_job_outcome run_commit(const image_job_spec& spec) {
  storage::content_store::lease::scope leased{spec.lease.get()};
  image_job_outcome out;
  const storage::image_record* parent = spec.parent ? &*spec.parent : nullptr;
  auto parent_chain =
      parent && !parent->chain_ids.empty() ? parent->chain_ids.back() : std::string{};
  // No upper directory: a metadata-only build step (an empty layer).
  auto layer = spec.upper_dir.empty()
                   ? caf::expected<storage::committed_layer>{storage::committed_layer{}}
                   : storage::commit_upper_dir(spec.upper_dir, spec.lower_dirs, parent_chain,
                                               spec.present_chains, *spec.content, *spec.layers,
                                               spec.limits);
  if (!layer) {
    out.error = layer.error();
    return out;
  }
  if (layer->created) out.new_layers.push_back(std::move(*layer->created));
  auto child = spec.child;
  child.diff_id = layer->diff_id;
  child.now_nanos = unix_nanos_now();
  auto image = storage::make_child_image(parent, child);
  if (!image) {
    out.error = image.error();
    return out;
  }
  out.images.push_back({std::move(*image), {}});
  return out;
}

// Pulls from a registry; the outcome's images carry the references to set, the pulled one
// first.
image_job_outcome run_pull(const image_job_spec& spec) {
  const auto& in = *spec.pull;
  distribution::pull_context ctx;
  ctx.service = in.service;
  ctx.content = spec.content;
  ctx.layers = spec.layers;
  ctx.lease = spec.lease;
  ctx.present_chains = spec.present_chains;
  ctx.present_images = in.present_images;
  ctx.limits = spec.limits;
  ctx.progress = in.progress;
  ctx.stop = in.stop;
  auto pulled = distribution::pull_image(in.request, ctx);
  image_job_outcome out;
  out.error = std::move(pulled.error);
  out.new_layers = std::move(pulled.new_layers);
  for (auto& img : pulled.images)
    out.images.push_back({std::move(img.image), std::move(img.references)});
  return out;
}

image_job_outcome run_job(const image_job_spec& spec) {
  switch (spec.what) {
  case image_job_spec::kind::load:
    return run_load(spec);
  case image_job_spec::kind::import:
    return run_import(spec);
  case image_job_spec::kind::commit:
    return run_commit(spec);
  case image_job_spec::kind::pull:
    return run_pull(spec);
  }
  return run_load(spec);
}

} // namespace

caf::actor spawn_image_job(caf::actor_system& sys, image_job_spec spec,
                           caf::strong_actor_ptr manager) {
  return sys.spawn([spec = std::move(spec), manager](caf::event_based_actor* self) mutable {
    auto pool = blocking_pool_of(self);
    auto id = spec.id;
    auto report = [self, manager, id](image_job_outcome outcome) {
      self->send(caf::actor_cast<caf::actor>(manager), job_done_atom_v, id, std::move(outcome));
      self->quit();
    };
    if (!pool) {
      image_job_outcome failed;
      failed.error = make_error(errc::unavailable, "the blocking pool is not running");
      report(std::move(failed));
      return;
    }
    auto shared = std::make_shared<image_job_spec>(std::move(spec));
    auto on_outcome = [report](caf::expected<image_job_outcome> outcome) mutable {
      if (!outcome) {
        image_job_outcome failed;
        failed.error = outcome.error();
        report(std::move(failed));
        return;
      }
      report(std::move(*outcome));
    };
    if (shared->what == image_job_spec::kind::pull) {
      run_on_own_thread(
          self, [shared]() -> caf::expected<image_job_outcome> { return run_job(*shared); },
          on_outcome);
      return;
    }
    run_blocking(
        self, pool,
        [shared]() -> caf::expected<image_job_outcome> {
          auto outcome = run_job(*shared);
          // A load's buffers (archive reading, decompression) are freed by now; hand the pages
          // back so an idle daemon stays small.
          ::malloc_trim(0);
          return outcome;
        },
        on_outcome);
  });
}

} // namespace berth::actors
