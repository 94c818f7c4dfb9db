// Which repositories a blob is known to live in, per registry: filled by pulls and pushes, read
// by pushes to offer the registry a cross-repository mount instead of an upload (dockerd keeps
// the same knowledge in its v2 metadata store). Kept in memory: after a restart the first push
// of a blob uploads it (or finds it with HEAD). Bounded: a few repositories per blob, a cap on
// blobs (the oldest entries go first).
// Thread-safety: thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace berth::distribution {

class blob_sources {
 public:
  static constexpr size_t max_repositories_per_blob = 4;
  static constexpr size_t max_blobs = 100'000;

  /// Remembers that `domain`/`path` ("127.0.0.1:5000", "library/busybox") has `digest`.
  void add(const std::string& digest, const std::string& domain, const std::string& path);

  /// Repositories on `domain` other than `except_path` known to have `digest`, newest first.
  [[nodiscard]] std::vector<std::string> candidates(const std::string& digest,
                                                    const std::string& domain,
                                                    const std::string& except_path) const;

 private:
  struct source {
    std::string domain;
    std::string path;
  };
  mutable std::mutex mutex_;
  std::map<std::string, std::deque<source>> sources_;
  std::deque<std::string> order_; ///< digests in insertion order, for the cap
};

} // namespace berth::distribution
