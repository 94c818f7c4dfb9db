// Layer blobs of a pull: local, downloaded, or shared with another pull.
#include "distribution/layer_download.hpp"

#include "base/error.hpp"
#include "base/log.hpp"
#include "metrics/image_probe.hpp"
#include "registry/blob_sink.hpp"

namespace berth::distribution {

namespace {

constexpr log::logger lg{"distribution"};

// Counts the bytes that arrive from the registry (the metrics' downloaded bytes).
class metered_sink final : public registry::blob_sink {
 public:
  metered_sink(registry::blob_sink& inner, metrics::image_probe* probe)
      : inner_(inner), probe_(probe) {}
  caf::error write(const char* data, size_t n) override {
    if (probe_) probe_->bytes_downloaded(n);
    return inner_.write(data, n);
  }
  caf::error restart() override { return inner_.restart(); }
  caf::expected<std::string> digest() override { return inner_.digest(); }

 private:
  registry::blob_sink& inner_;
  metrics::image_probe* probe_;
};

// The download itself, on a download-pool thread: into an ingest file, verified, committed
// under the shared download's lease, reported to the leading pull's progress stream.
caf::error download_blob(const transfer_source& source, const registry::descriptor& layer,
                         const std::string& id, shared_download& download) {
  auto stop = download.stop_token();
  if (stop.stop_requested()) return make_error(errc::unavailable, "operation canceled");
  storage::content_store::lease::scope leased{download.lease()};
  auto sink = registry::content_store_sink::open(*source.content);
  if (!sink) return std::move(sink.error());
  metered_sink metered{**sink, source.service->probe()};
  registry::blob_fetch_options options;
  options.size = layer.size;
  auto progress = source.progress;
  options.on_progress = [progress, id](uint64_t done, uint64_t total) {
    progress->progress(id, "Downloading", done, total);
  };
  options.on_retry = [progress, id](int, std::chrono::milliseconds delay, const caf::error&) {
    progress->status(id, retrying_in(delay));
  };
  auto fetched = source.repository->fetch_blob(layer.digest, metered, options, stop);
  if (!fetched) return std::move(fetched.error());
  progress->status(id, "Verifying Checksum");
  auto committed = (*sink)->commit(layer.digest);
  if (!committed) return std::move(committed.error());
  progress->status(id, "Download complete");
  return {};
}

} // namespace

layer_download layer_download::start(const transfer_source& source,
                                     const registry::descriptor& layer, const std::string& id,
                                     storage::content_store::lease& lease) {
  layer_download out;
  out.progress_ = source.progress;
  out.id_ = id;
  out.digest_ = layer.digest;
  if (source.content->retain(layer.digest, lease)) return out;
  auto content = source.content;
  auto joined =
      source.service->in_flight().join(layer.digest, [&content] { return content->make_lease(); });
  out.interest_ = std::move(joined.interest);
  out.leader_ = joined.leader;
  if (!out.leader_) {
    out.progress_->status(id, "Waiting");
    return out;
  }
  auto download = out.interest_.get();
  auto daemon_stop = source.service->daemon_stop();
  auto task = [source, layer, id, download, daemon_stop] {
    // The daemon stopping cancels the download too.
    std::stop_callback on_daemon_stop{
        daemon_stop, [stopper = download->stop_source()]() mutable { stopper.request_stop(); }};
    auto err = download_blob(source, layer, id, *download);
    if (err && !download->stop_token().stop_requested())
      lg.info("blob download failed", {{"digest", layer.digest}, {"error", error_message(err)}});
    download->finish(std::move(err));
  };
  auto progress = out.progress_;
  source.service->downloads().submit(task, [progress, id] { progress->status(id, "Waiting"); });
  return out;
}

caf::error layer_download::wait(storage::content_store::lease& lease, std::stop_token stop) {
  if (!interest_) return {}; // the content store had it
  if (auto err = interest_->wait(stop)) return err;
  // Into our own lease while the shared download's lease still holds the blob.
  lease.add(digest_);
  if (!leader_) progress_->status(id_, "Download complete");
  interest_ = download_interest{};
  return {};
}

} // namespace berth::distribution
