// Content-addressed blobs (sha256) under <data-root>/content. A blob is written to a temp file in
// ingest/, hashed while it streams, fsynced, checked against the expected digest and only then
// renamed to blobs/sha256/<hex>: a partial blob never appears under its final name.
// Thread-safe: every operation is a filesystem operation that is atomic on its own.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "base/byte_source.hpp"
#include "base/fd.hpp"
#include "storage/digest.hpp"

namespace berth::storage {

struct blob_info {
  std::string digest; ///< "sha256:<hex>"
  uint64_t size = 0;
};

/// What a garbage collection removed.
struct gc_result {
  size_t removed = 0;
  uint64_t bytes = 0;
};

class content_store {
 public:
  /// Opens (creating) the store under `root` and removes leftover ingest files from a crash.
  [[nodiscard]] static caf::expected<std::unique_ptr<content_store>> open(const std::string& root);

  /// One blob being written. Not thread-safe; aborted (temp file removed) unless committed.
  class writer {
   public:
    writer(writer&&) noexcept = default;
    writer& operator=(writer&&) noexcept = default;
    ~writer();

    [[nodiscard]] caf::error write(const char* data, size_t n);
    [[nodiscard]] uint64_t size() const { return size_; }

    /// The digest of the bytes written ("sha256:<hex>"), hashed as they were written. Ends the
    /// blob: a write after it fails.
    [[nodiscard]] const std::string& digest();

    /// Verifies `expected_digest` (when not empty), fsyncs and moves the blob into place. A blob
    /// that already exists is kept (same content by definition) and the temp file dropped.
    [[nodiscard]] caf::expected<blob_info> commit(std::string_view expected_digest = {});

   private:
    friend class content_store;
    writer(const content_store* store, unique_fd fd, std::string temp_path);
    void abort();

    const content_store* store_;
    unique_fd fd_;
    std::string temp_path_;
    sha256_hasher hasher_;
    std::string digest_; ///< set once the hash is finished
    uint64_t size_ = 0;
    std::string buffer_;
  };

  /// Starts writing a blob.
  [[nodiscard]] caf::expected<writer> ingest() const;

  /// Streams `source` into a blob (at most `limit` bytes).
  [[nodiscard]] caf::expected<blob_info>
  write(byte_source& source, std::string_view expected_digest, uint64_t limit) const;

  /// Stores a small in-memory blob (configs, manifests).
  [[nodiscard]] caf::expected<blob_info> put(std::string_view data) const;

  [[nodiscard]] bool has(std::string_view digest) const;

  class lease;
  /// If the blob exists, adds it to `l` and returns true. Done under the collection lock, so a
  /// garbage collection cannot remove the blob between the check and the lease.
  [[nodiscard]] bool retain(std::string_view digest, lease& l) const;
  [[nodiscard]] caf::expected<uint64_t> size(std::string_view digest) const;
  [[nodiscard]] std::string path(std::string_view digest) const;
  [[nodiscard]] caf::expected<unique_fd> open_blob(std::string_view digest) const;
  [[nodiscard]] caf::expected<std::string> read(std::string_view digest, size_t limit) const;
  [[nodiscard]] caf::error remove(std::string_view digest) const;

  /// Every stored digest.
  [[nodiscard]] std::vector<std::string> list() const;

  /// Protects the blobs a job writes or reuses from garbage collection until the job's result is
  /// recorded. Blobs are added explicitly, or implicitly by commits and puts made on a thread
  /// inside a `lease::scope`.
  class lease {
   public:
    explicit lease(const content_store* store) : store_(store) {}
    ~lease();
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;

    void add(const std::string& digest);

    /// Stops protecting anything (idempotent; also done by the destructor).
    void release();

    /// While alive, blobs committed or reused on this thread join the lease.
    class scope {
     public:
      explicit scope(lease* l);
      ~scope();
      scope(const scope&) = delete;
      scope& operator=(const scope&) = delete;

     private:
      lease* previous_;
    };

   private:
    friend class content_store;
    const content_store* store_;
    std::set<std::string> digests_;
  };

  /// A new lease (shared: the job and its manager both hold it).
  [[nodiscard]] std::shared_ptr<lease> make_lease() const;

  /// Removes every blob that is neither in `referenced` nor held by a lease. Commits and puts
  /// wait while it runs, so a blob is never removed between being written and being leased.
  [[nodiscard]] gc_result collect_garbage(const std::set<std::string>& referenced) const;

  [[nodiscard]] const std::string& root() const { return root_; }

 private:
  explicit content_store(std::string root) : root_(std::move(root)) {}
  std::string root_;
  void lease_current(const std::string& digest) const;

  /// Shared by commits and reuses, exclusive for garbage collection.
  mutable std::shared_mutex gc_mutex_;
  mutable std::mutex leases_mutex_;
  mutable std::set<lease*> leases_;
};

} // namespace berth::storage
