// docker pull: manifests, platform, config, layers.
#include "distribution/image_pull.hpp"

#include <map>

#include "base/error.hpp"
#include "base/log.hpp"
#include "distribution/layer_download.hpp"
#include "registry/blob_sink.hpp"
#include "registry/platform.hpp"
#include "registry/registry_error.hpp"
#include "registry/repository.hpp"
#include "storage/chain_id.hpp"
#include "storage/image_index.hpp"
#include "storage/image_layers.hpp"

namespace berth::distribution {

namespace {

constexpr log::logger lg{"distribution"};

caf::error canceled() {
  return make_error(errc::unavailable, "operation canceled");
}

bool supported_layer_type(std::string_view type) {
  // The media types dockerd pulls (its supportedMediaTypes), compressed or not.
  for (std::string_view prefix : {"application/vnd.docker.image.rootfs.diff.tar",
                                  "application/vnd.docker.image.rootfs.foreign.diff.tar",
                                  "application/vnd.oci.image.layer.v1.tar",
                                  "application/vnd.oci.image.layer.nondistributable.v1.tar"})
    if (type == prefix || (type.starts_with(prefix) && type[prefix.size()] == '.') ||
        (type.starts_with(prefix) && type[prefix.size()] == '+'))
      return true;
  return false;
}

bool supported_config_type(std::string_view type) {
  return type == registry::media_type::docker_config || type == registry::media_type::oci_config;
}

// One pull: the repository it talks to and what it has stored so far.
class puller {
 public:
  puller(const pull_request& request, const pull_context& ctx, pull_result& out)
      : request_(request), ctx_(ctx), out_(out),
        chains_(ctx.present_chains), stop_{ctx.stop, ctx.service->daemon_stop()} {}

  caf::error run() {
    if (request_.ref.familiar_name() == "scratch")
      return make_error(errc::forbidden, "'scratch' is a reserved name");
    snapshot_ = ctx_.service->current();
    auto repo = registry::repository::open(*snapshot_->http, snapshot_->config, request_.ref,
                                           request_.credentials, registry::endpoint_use::pull,
                                           snapshot_->repository, stop_.token());
    if (!repo) return std::move(repo.error());
    repository_ = std::move(*repo);
    if (!request_.ref.tag.empty() || !request_.ref.digest.empty()) return pull_one(request_.ref);
    // A name alone: every tag (`docker pull -a`).
    auto tags = repository_->list_tags(stop_.token());
    if (!tags) return std::move(tags.error());
    for (const auto& tag : *tags) {
      auto tagged = request_.ref;
      tagged.tag = tag;
      if (auto err = pull_one(tagged)) return err;
    }
    return {};
  }

 private:
  // The manifest for `target`, and for an index the entry matching the wanted platform.
  struct resolved {
    registry::fetched_manifest top;   ///< what the tag or digest names (maybe an index)
    registry::fetched_manifest image; ///< the image manifest
    registry::manifest parsed;        ///< of `image`
  };

  caf::expected<resolved> resolve(const std::string& tag_or_digest) {
    auto fetched = repository_->get_manifest(tag_or_digest, stop_.token());
    if (!fetched) return std::move(fetched.error());
    resolved out;
    out.top = *fetched;
    auto parsed = registry::parse_manifest(fetched->bytes, fetched->media_type);
    if (!parsed) return std::move(parsed.error());
    if (parsed->index) {
      auto entry = registry::select_manifest(*parsed, request_.platform);
      if (!entry) return std::move(entry.error());
      auto inner = repository_->get_manifest(entry->digest, stop_.token());
      if (!inner) return std::move(inner.error());
      auto inner_parsed = registry::parse_manifest(inner->bytes, inner->media_type);
      if (!inner_parsed) return std::move(inner_parsed.error());
      if (inner_parsed->index)
        return make_error(errc::not_implemented,
                          "an index inside an index is not supported: " + entry->digest);
      out.image = std::move(*inner);
      out.parsed = std::move(*inner_parsed);
    } else {
      out.image = out.top;
      out.parsed = std::move(*parsed);
    }
    return out;
  }

  caf::expected<storage::image_record> fetch_config(const registry::descriptor& config) {
    if (!supported_config_type(config.media_type))
      return make_error(errc::invalid_argument,
                        "Encountered remote \"" + config.media_type + "\"(unknown) when fetching");
    registry::string_blob_sink sink{max_config_size};
    registry::blob_fetch_options options;
    options.size = config.size;
    auto fetched = repository_->fetch_blob(config.digest, sink, options, stop_.token());
    if (!fetched)
      return make_error(error_kind(fetched.error()).value_or(errc::internal),
                        "error pulling image configuration: " + error_message(fetched.error()));
    auto image = storage::image_record::from_config(sink.take());
    if (!image) return std::move(image.error());
    return image;
  }

  caf::error pull_one(const storage::reference& target) {
    const bool by_digest = !target.digest.empty();
    const auto& tag_or_digest = by_digest ? target.digest : target.tag;
    auto found = resolve(tag_or_digest);
    if (!found) return std::move(found.error());
    // dockerd names the repository by its path here: "Pulling from library/busybox".
    ctx_.progress->message(by_digest ? target.string() : target.tag, "Pulling from " + target.path);
    auto image = fetch_config(found->parsed.config);
    if (!image) return std::move(image.error());
    pulled_image pulled;
    pulled.present = ctx_.present_images.count(image->id) > 0;
    if (!pulled.present)
      if (auto err = fetch_layers(found->parsed, *image)) return err;
    ctx_.progress->message("", "Digest: " + found->top.digest);
    {
      // The config (its digest is the image ID) and the manifest join the pull's lease.
      storage::content_store::lease::scope leased{ctx_.lease.get()};
      if (auto put = ctx_.content->put(image->config_json); !put) return std::move(put.error());
      if (auto put = ctx_.content->put(found->image.bytes); !put) return std::move(put.error());
    }
    image->manifest_digest = found->image.digest;
    if (!by_digest) pulled.references.push_back(target.string());
    pulled.references.push_back(target.name() + "@" + found->top.digest);
    pulled.image = std::move(*image);
    for (const auto& layer : found->parsed.layers)
      ctx_.service->sources().add(layer.digest, target.domain, target.path);
    out_.images.push_back(std::move(pulled));
    return {};
  }

  // Layers: "Already exists" for those the store has; the others download in parallel and are
  // unpacked in order as soon as each one and all below it are there.
  caf::error fetch_layers(const registry::manifest& manifest, const storage::image_record& image) {
    if (manifest.layers.size() != image.diff_ids.size())
      return make_error(errc::invalid_argument,
                        "layers from manifest don't match image configuration");
    for (const auto& layer : manifest.layers)
      if (!supported_layer_type(layer.media_type))
        return make_error(errc::invalid_argument, "unsupported media type " + layer.media_type +
                                                      " of layer " + layer.digest);
    const auto chains = storage::chain_ids(image.diff_ids);
    std::vector<size_t> missing;
    for (size_t i = 0; i < chains.size(); ++i) {
      auto id = storage::short_id(manifest.layers[i].digest);
      if (chains_.count(chains[i])) {
        ctx_.progress->status(id, "Already exists");
      } else {
        ctx_.progress->status(id, "Pulling fs layer");
        missing.push_back(i);
      }
    }
    if (missing.empty()) return {};
    transfer_source source{ctx_.service, snapshot_, repository_, ctx_.content, ctx_.progress};
    // One download per distinct blob, even when a layer repeats in the image.
    std::map<std::string, layer_download> downloads;
    for (auto i : missing) {
      const auto& layer = manifest.layers[i];
      if (!downloads.count(layer.digest))
        downloads.emplace(
            layer.digest,
            layer_download::start(source, layer, storage::short_id(layer.digest), *ctx_.lease));
    }
    std::vector<storage::layer_blob> blobs;
    for (const auto& layer : manifest.layers)
      blobs.push_back({layer.digest, layer.media_type});
    for (auto i : missing) {
      const auto& digest = manifest.layers[i].digest;
      auto id = storage::short_id(digest);
      if (auto err = downloads.at(digest).wait(*ctx_.lease, stop_.token())) return err;
      if (stop_.token().stop_requested()) return canceled();
      if (chains_.count(chains[i])) { // the same layer again, unpacked just below
        ctx_.progress->status(id, "Pull complete");
        continue;
      }
      auto created = storage::unpack_image_layers(
          {image.diff_ids.begin(), image.diff_ids.begin() + static_cast<std::ptrdiff_t>(i) + 1},
          {blobs.begin(), blobs.begin() + static_cast<std::ptrdiff_t>(i) + 1}, chains_,
          *ctx_.content, *ctx_.layers, ctx_.limits,
          [this, &id](size_t, uint64_t read, uint64_t total) {
            ctx_.progress->progress(id, "Extracting", read, total);
          });
      if (!created)
        return make_error(error_kind(created.error()).value_or(errc::internal),
                          "failed to register layer: " + error_message(created.error()));
      for (auto& l : *created) {
        chains_.insert(l.chain_id);
        out_.new_layers.push_back(std::move(l));
      }
      ctx_.progress->status(id, "Pull complete");
    }
    return {};
  }

  const pull_request& request_;
  const pull_context& ctx_;
  pull_result& out_;
  std::set<std::string> chains_; ///< present and unpacked by this pull
  linked_stop stop_;             ///< the client leaving or the daemon stopping
  std::shared_ptr<const registry_snapshot> snapshot_;
  std::shared_ptr<registry::repository> repository_;
};

} // namespace

pull_result pull_image(const pull_request& request, const pull_context& ctx) {
  pull_result out;
  puller p{request, ctx, out};
  auto err = p.run();
  if (err && (ctx.stop.stop_requested() || ctx.service->daemon_stop().stop_requested()))
    err = canceled();
  if (err) {
    lg.info("pull failed",
            {{"reference", request.ref.familiar_string()}, {"error", error_message(err)}});
    out.error = registry::translate_pull_error(err, request.ref);
  }
  return out;
}

} // namespace berth::distribution
