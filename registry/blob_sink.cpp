// Blob sinks: memory and content store.
#include "registry/blob_sink.hpp"

#include "base/error.hpp"
#include "storage/digest.hpp"

namespace berth::registry {

caf::error string_blob_sink::write(const char* data, size_t n) {
  if (data_.size() + n > limit_)
    return make_error(errc::invalid_argument,
                      "blob larger than " + std::to_string(limit_) + " bytes");
  data_.append(data, n);
  return {};
}

caf::error string_blob_sink::restart() {
  data_.clear();
  return {};
}

caf::expected<std::string> string_blob_sink::digest() {
  return storage::sha256_digest(data_);
}

caf::expected<std::unique_ptr<content_store_sink>>
content_store_sink::open(const storage::content_store& store) {
  auto w = store.ingest();
  if (!w) return std::move(w.error());
  return std::unique_ptr<content_store_sink>(new content_store_sink(store, std::move(*w)));
}

caf::error content_store_sink::write(const char* data, size_t n) {
  if (!writer_) return make_error(errc::internal, "blob sink already committed");
  return writer_->write(data, n);
}

caf::error content_store_sink::restart() {
  writer_.reset(); // aborts: the partial ingest file is removed
  auto w = store_.ingest();
  if (!w) return std::move(w.error());
  writer_.emplace(std::move(*w));
  return {};
}

caf::expected<std::string> content_store_sink::digest() {
  if (!writer_) return make_error(errc::internal, "blob sink already committed");
  return writer_->digest();
}

caf::expected<storage::blob_info> content_store_sink::commit(std::string_view digest) {
  if (!writer_) return make_error(errc::internal, "blob sink already committed");
  auto info = writer_->commit(digest);
  writer_.reset();
  return info;
}

} // namespace berth::registry
