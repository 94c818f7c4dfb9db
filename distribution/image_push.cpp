// docker push: layers (exists, mount, upload), config, manifest.
#include "distribution/image_push.hpp"

#include <future>
#include <map>
#include <mutex>
#include <set>

#include "base/error.hpp"
#include "base/log.hpp"
#include "distribution/push_manifest.hpp"
#include "distribution/transfer_source.hpp"
#include "metrics/image_probe.hpp"
#include "registry/repository.hpp"
#include "storage/image_index.hpp"

namespace berth::distribution {

namespace {

constexpr log::logger lg{"distribution"};

/// dockerd tries at most this many source repositories for a mount.
constexpr size_t max_mount_attempts = 3;

// What every upload task of a push shares.
struct upload_shared {
  transfer_source source;
  std::string domain; ///< of the target repository
  std::stop_token stop;
};

// One layer blob into the target repository, on an upload-pool thread.
caf::error upload_layer(const upload_shared& s, const push_blob& blob, const std::string& id) {
  if (s.stop.stop_requested()) return make_error(errc::unavailable, "operation canceled");
  auto content = s.source.content;
  auto* probe = s.source.service->probe();
  registry::blob_opener open =
      [content, probe, digest = blob.digest]() -> caf::expected<std::unique_ptr<byte_source>> {
    auto fd = content->open_blob(digest);
    if (!fd) return std::move(fd.error());
    // The bytes sent are the metrics' uploaded bytes.
    return std::unique_ptr<byte_source>(std::make_unique<observed_source>(
        std::make_unique<fd_source>(std::move(*fd), digest), [probe](size_t bytes) {
          if (probe) probe->bytes_uploaded(bytes);
        }));
  };
  registry::blob_push_options options;
  options.mount_from =
      s.source.service->sources().candidates(blob.digest, s.domain, s.source.repository->path());
  if (options.mount_from.size() > max_mount_attempts) options.mount_from.resize(max_mount_attempts);
  auto progress = s.source.progress;
  options.on_progress = [progress, id](uint64_t done, uint64_t total) {
    progress->progress(id, "Pushing", done, total);
  };
  options.on_retry = [progress, id](int, std::chrono::milliseconds delay, const caf::error&) {
    progress->status(id, retrying_in(delay));
  };
  auto pushed = s.source.repository->push_blob(blob.digest, blob.size, open, options, s.stop);
  if (!pushed) return std::move(pushed.error());
  if (pushed->existed)
    progress->status(id, "Layer already exists");
  else if (!pushed->mounted_from.empty())
    progress->status(id, "Mounted from " + pushed->mounted_from);
  else
    progress->status(id, "Pushed");
  s.source.service->sources().add(blob.digest, s.domain, s.source.repository->path());
  return {};
}

class pusher {
 public:
  pusher(const push_request& request, const push_context& ctx)
      : request_(request), ctx_(ctx), stop_{ctx.stop, ctx.service->daemon_stop()} {}

  caf::expected<std::vector<pushed_tag>> run() {
    ctx_.progress->message("",
                           "The push refers to repository [" + request_.repository.name() + "]");
    auto snapshot = ctx_.service->current();
    auto repo = registry::repository::open(*snapshot->http, snapshot->config, request_.repository,
                                           request_.credentials, registry::endpoint_use::push,
                                           snapshot->repository, stop_.token());
    if (!repo) return std::move(repo.error());
    shared_ = upload_shared{
        transfer_source{ctx_.service, snapshot, std::move(*repo), ctx_.content, ctx_.progress},
        request_.repository.domain, stop_.token()};
    std::vector<pushed_tag> out;
    for (const auto& item : request_.items) {
      auto pushed = push_tag(item);
      if (!pushed) return std::move(pushed.error());
      out.push_back(std::move(*pushed));
    }
    return out;
  }

 private:
  caf::expected<std::vector<push_blob>> layer_blobs(const push_item& item) {
    std::vector<push_blob> blobs;
    for (const auto& l : item.layers) {
      auto size = ctx_.content->size(l.blob_digest);
      if (!size)
        return make_error(errc::not_found, "layer " + l.diff_id + " has no stored blob (" +
                                               error_message(size.error()) + ")");
      if (auto type = oci_layer_media_type(l.media_type); !type) return std::move(type.error());
      blobs.push_back({l.blob_digest, l.media_type, *size});
    }
    return blobs;
  }

  // Every layer of one tag into the repository: top layer first, as dockerd lists them.
  caf::error push_layers(const push_item& item, const std::vector<push_blob>& blobs) {
    struct pending {
      std::string id;
      std::shared_future<caf::error> result;
      bool reused = false; ///< sent for an earlier tag or layer of this push
    };
    std::vector<pending> waits;
    for (size_t k = blobs.size(); k-- > 0;)
      ctx_.progress->status(storage::short_id(item.layers[k].diff_id), "Preparing");
    for (size_t k = blobs.size(); k-- > 0;) {
      const auto& blob = blobs[k];
      auto id = storage::short_id(item.layers[k].diff_id);
      if (auto known = uploaded_.find(blob.digest); known != uploaded_.end()) {
        waits.push_back({id, known->second, true});
        continue;
      }
      auto done = std::make_shared<std::promise<caf::error>>();
      std::shared_future<caf::error> result = done->get_future().share();
      uploaded_.emplace(blob.digest, result);
      waits.push_back({id, result, false});
      auto shared = shared_;
      auto service = ctx_.service;
      auto task = [shared, blob, id, done] {
        auto err = upload_layer(shared, blob, id);
        if (err && !shared.stop.stop_requested())
          lg.info("blob upload failed", {{"digest", blob.digest}, {"error", error_message(err)}});
        done->set_value(std::move(err));
      };
      auto progress = ctx_.progress;
      service->uploads().submit(task, [progress, id] { progress->status(id, "Waiting"); });
    }
    for (auto& w : waits) {
      if (auto err = w.result.get()) {
        stop_.request_stop(); // the other uploads of this push end too
        return err;
      }
      if (w.reused) ctx_.progress->status(w.id, "Layer already exists");
    }
    return {};
  }

  caf::expected<pushed_tag> push_tag(const push_item& item) {
    auto blobs = layer_blobs(item);
    if (!blobs) return std::move(blobs.error());
    if (auto err = push_layers(item, *blobs)) return err;
    const auto& config = item.image.config_json;
    registry::blob_opener open_config = [&config]() -> caf::expected<std::unique_ptr<byte_source>> {
      return std::unique_ptr<byte_source>(std::make_unique<string_source>(config));
    };
    auto stop = stop_.token();
    auto config_pushed =
        shared_.source.repository->push_blob(item.image.id, config.size(), open_config, {}, stop);
    if (!config_pushed) return std::move(config_pushed.error());
    auto manifest = build_push_manifest(item.image.id, config.size(), *blobs);
    if (!manifest) return std::move(manifest.error());
    auto digest = shared_.source.repository->put_manifest(item.tag, manifest->media_type,
                                                          manifest->bytes, stop);
    if (!digest) return std::move(digest.error());
    pushed_tag out{item.tag, item.image.id, *digest, manifest->bytes.size()};
    ctx_.progress->message("", item.tag + ": digest: " + out.digest +
                                   " size: " + std::to_string(out.size));
    ctx_.progress->aux(
        nlohmann::ordered_json{{"Tag", item.tag}, {"Digest", out.digest}, {"Size", out.size}});
    return out;
  }

  const push_request& request_;
  const push_context& ctx_;
  linked_stop stop_;
  upload_shared shared_;
  /// Blobs this push has sent (or is sending) to the repository.
  std::map<std::string, std::shared_future<caf::error>> uploaded_;
};

} // namespace

caf::expected<std::vector<pushed_tag>> push_image(const push_request& request,
                                                  const push_context& ctx) {
  pusher p{request, ctx};
  auto out = p.run();
  if (!out && (ctx.stop.stop_requested() || ctx.service->daemon_stop().stop_requested()))
    return make_error(errc::unavailable, "operation canceled");
  if (!out)
    lg.info("push failed", {{"repository", request.repository.familiar_name()},
                            {"error", error_message(out.error())}});
  return out;
}

} // namespace berth::distribution
