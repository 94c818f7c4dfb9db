// The daemon-wide table of blob downloads in flight, keyed by digest: concurrent pulls that need
// the same blob share one download. The first puller (the leader) runs it; the others wait for
// its outcome. A download is cancelled only when every puller interested in it has gone (a
// client that disconnects does not stop a download another pull still waits for).
// Thread-safety: thread-safe.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>

#include <caf/error.hpp>

#include "storage/content_store.hpp"

namespace berth::distribution {

/// One download in flight.
class shared_download {
 public:
  explicit shared_download(std::shared_ptr<storage::content_store::lease> lease)
      : lease_(std::move(lease)) {}

  /// Cancelled when nobody waits any more (or the daemon stops).
  [[nodiscard]] std::stop_token stop_token() const { return stop_.get_token(); }
  [[nodiscard]] std::stop_source stop_source() const { return stop_; }

  /// Holds the committed blob until every waiter has taken it into its own lease.
  [[nodiscard]] storage::content_store::lease* lease() const { return lease_.get(); }

  /// The leader reports the outcome (the blob is in the content store unless `error`).
  void finish(caf::error error);

  /// Waits for the outcome; returns it, or an "operation canceled" error when `stop` is
  /// requested first.
  [[nodiscard]] caf::error wait(std::stop_token stop);

  [[nodiscard]] bool done() const;

 private:
  friend class blob_download_table;
  friend class download_interest;

  std::shared_ptr<storage::content_store::lease> lease_;
  std::stop_source stop_;
  mutable std::mutex mutex_;
  std::condition_variable_any finished_;
  bool done_ = false;
  caf::error error_;
  int interest_ = 0;
};

/// A puller's claim on a download; dropping the last claim of an unfinished download cancels it.
class download_interest {
 public:
  download_interest() = default;
  explicit download_interest(std::shared_ptr<shared_download> d);
  ~download_interest();
  download_interest(download_interest&& other) noexcept;
  download_interest& operator=(download_interest&& other) noexcept;
  download_interest(const download_interest&) = delete;
  download_interest& operator=(const download_interest&) = delete;

  [[nodiscard]] shared_download* operator->() const { return download_.get(); }
  [[nodiscard]] const std::shared_ptr<shared_download>& get() const { return download_; }
  explicit operator bool() const { return download_ != nullptr; }

 private:
  friend class blob_download_table;
  /// Takes over an interest already counted (under the download's lock).
  [[nodiscard]] static download_interest adopt(std::shared_ptr<shared_download> d);
  void reset();
  std::shared_ptr<shared_download> download_;
};

class blob_download_table {
 public:
  struct joined {
    download_interest interest;
    bool leader = false; ///< true: the caller must run the download and call finish()
  };

  /// Joins the download of `digest` that runs (or finished well and is still held), or
  /// registers a new one (the caller leads it; `make_lease` gives the lease its blob is
  /// committed under).
  [[nodiscard]] joined
  join(const std::string& digest,
       const std::function<std::shared_ptr<storage::content_store::lease>()>& make_lease);

  /// Downloads in flight now.
  [[nodiscard]] size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::weak_ptr<shared_download>> downloads_;
};

} // namespace berth::distribution
