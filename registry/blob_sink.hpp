// Where a downloaded blob goes while it streams: a sink that can start over (a resumed download
// the server answered from byte 0). The content-store sink writes into an ingest file that only
// becomes a blob when committed with its digest; dropped uncommitted, nothing is kept.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "storage/content_store.hpp"

namespace berth::registry {

class blob_sink {
 public:
  virtual ~blob_sink() = default;

  /// Appends `n` bytes; an error aborts the download.
  [[nodiscard]] virtual caf::error write(const char* data, size_t n) = 0;

  /// Discards everything written so far: the download starts again from byte 0.
  [[nodiscard]] virtual caf::error restart() = 0;

  /// The digest ("sha256:<hex>") of what was written since the start or the last restart. Ends
  /// the blob: nothing more may be written unless it restarts.
  [[nodiscard]] virtual caf::expected<std::string> digest() = 0;
};

/// Keeps the blob in memory, up to `limit` bytes (configs, tests).
class string_blob_sink final : public blob_sink {
 public:
  explicit string_blob_sink(size_t limit) : limit_(limit) {}
  [[nodiscard]] caf::error write(const char* data, size_t n) override;
  [[nodiscard]] caf::error restart() override;
  [[nodiscard]] caf::expected<std::string> digest() override;
  [[nodiscard]] const std::string& data() const { return data_; }
  [[nodiscard]] std::string take() { return std::move(data_); }

 private:
  size_t limit_;
  std::string data_;
};

/// Streams the blob into a content store's ingest file. Not thread-safe (one download).
class content_store_sink final : public blob_sink {
 public:
  /// Starts an ingest in `store` (which must outlive the sink).
  [[nodiscard]] static caf::expected<std::unique_ptr<content_store_sink>>
  open(const storage::content_store& store);

  [[nodiscard]] caf::error write(const char* data, size_t n) override;
  [[nodiscard]] caf::error restart() override;
  /// The ingest writer's digest, hashed as the bytes were written.
  [[nodiscard]] caf::expected<std::string> digest() override;

  /// Verifies the digest again, fsyncs and moves the blob into place (see content_store).
  [[nodiscard]] caf::expected<storage::blob_info> commit(std::string_view digest);

 private:
  content_store_sink(const storage::content_store& store, storage::content_store::writer w)
      : store_(store), writer_(std::move(w)) {}
  const storage::content_store& store_;
  std::optional<storage::content_store::writer> writer_;
};

} // namespace berth::registry
