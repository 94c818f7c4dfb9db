// Shared blob downloads.
#include "distribution/blob_downloads.hpp"

#include "base/error.hpp"

namespace berth::distribution {

void shared_download::finish(caf::error error) {
  {
    std::lock_guard guard{mutex_};
    if (done_) return;
    done_ = true;
    error_ = std::move(error);
  }
  finished_.notify_all();
}

caf::error shared_download::wait(std::stop_token stop) {
  std::unique_lock lock{mutex_};
  if (!finished_.wait(lock, stop, [this] { return done_; }))
    return make_error(errc::unavailable, "operation canceled");
  return error_;
}

bool shared_download::done() const {
  std::lock_guard guard{mutex_};
  return done_;
}

download_interest::download_interest(std::shared_ptr<shared_download> d) : download_(std::move(d)) {
  if (!download_) return;
  std::lock_guard guard{download_->mutex_};
  ++download_->interest_;
}

download_interest download_interest::adopt(std::shared_ptr<shared_download> d) {
  download_interest out;
  out.download_ = std::move(d);
  return out;
}

download_interest::~download_interest() {
  reset();
}

download_interest::download_interest(download_interest&& other) noexcept
    : download_(std::move(other.download_)) {}

download_interest& download_interest::operator=(download_interest&& other) noexcept {
  if (this != &other) {
    reset();
    download_ = std::move(other.download_);
  }
  return *this;
}

void download_interest::reset() {
  if (!download_) return;
  bool abandon = false;
  {
    std::lock_guard guard{download_->mutex_};
    abandon = --download_->interest_ == 0 && !download_->done_;
  }
  if (abandon) download_->stop_.request_stop();
  download_.reset();
}

blob_download_table::joined blob_download_table::join(
    const std::string& digest,
    const std::function<std::shared_ptr<storage::content_store::lease>()>& make_lease) {
  std::lock_guard guard{mutex_};
  // Forget downloads nobody holds any more.
  std::erase_if(downloads_, [](const auto& entry) { return entry.second.expired(); });
  if (auto it = downloads_.find(digest); it != downloads_.end()) {
    if (auto existing = it->second.lock()) {
      // Joinable: running, or finished well (its lease still holds the blob for whoever holds
      // the download). A failed or abandoned one is started over.
      std::lock_guard d{existing->mutex_};
      bool failed = existing->done_ && existing->error_;
      if (!failed && (existing->done_ || !existing->stop_.stop_requested())) {
        ++existing->interest_;
        joined out;
        out.interest = download_interest::adopt(existing);
        return out;
      }
    }
  }
  auto fresh = std::make_shared<shared_download>(make_lease());
  downloads_[digest] = fresh;
  joined out;
  out.interest = download_interest{fresh};
  out.leader = true;
  return out;
}

size_t blob_download_table::size() const {
  std::lock_guard guard{mutex_};
  size_t n = 0;
  for (const auto& [digest, d] : downloads_)
    if (auto live = d.lock(); live && !live->done()) ++n;
  return n;
}

} // namespace berth::distribution
