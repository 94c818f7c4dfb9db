// Blob uploads: existence check, cross-repository mount, monolithic or chunked upload.
#include <algorithm>

#include "base/error.hpp"
#include "registry/registry_error.hpp"
#include "registry/repository.hpp"

namespace berth::registry {

namespace {

/// The Location of an upload session, resolved against the request's URL.
caf::expected<url> upload_location(const http_response& response) {
  auto location = response.header("Location");
  if (!location) return make_error(errc::unavailable, "the registry gave no upload location");
  auto resolved = response.final_url.resolve(*location);
  if (!resolved)
    return make_error(errc::unavailable,
                      "the registry gave an invalid upload location " + std::string(*location));
  return *resolved;
}

/// A body reader over `source` that stops after `limit` bytes, counting progress.
body_reader limited_reader(byte_source& source, uint64_t limit, uint64_t& done, uint64_t total,
                           const progress_callback& on_progress) {
  return [&source, limit, &done, total, &on_progress,
          sent = uint64_t{0}](char* buf, size_t n) mutable -> caf::expected<size_t> {
    if (sent >= limit) return size_t{0};
    auto want = static_cast<size_t>(std::min<uint64_t>(n, limit - sent));
    auto got = source.read(buf, want);
    if (!got) return got;
    sent += *got;
    done += *got;
    if (on_progress && *got > 0) on_progress(done, total);
    return got;
  };
}

} // namespace

caf::expected<std::string> repository::upload_once(std::string_view digest, uint64_t size,
                                                   const blob_opener& open,
                                                   const blob_push_options& options,
                                                   std::optional<url> location,
                                                   std::stop_token stop) {
  if (!location) {
    http_request start{http_method::post, endpoint_.api(path_ + "/blobs/uploads/")};
    auto response = send(start, {}, nullptr, stop);
    if (!response) return std::move(response.error());
    if (response->status != 202) return response_error(*response);
    auto where = upload_location(*response);
    if (!where) return std::move(where.error());
    location = std::move(*where);
  }
  auto source = open();
  if (!source) return std::move(source.error());
  uint64_t done = 0;
  if (options.chunk_size == 0) {
    http_request put{http_method::put, location->with_query("digest", digest)};
    put.headers.push_back({"Content-Type", "application/octet-stream"});
    put.body_source = limited_reader(**source, size, done, size, options.on_progress);
    put.body_length = size;
    auto response = send(put, {}, nullptr, stop);
    if (!response) return std::move(response.error());
    if (response->status != 201) return response_error(*response);
    return std::string(digest);
  }
  while (done < size) {
    uint64_t first = done;
    uint64_t length = std::min(options.chunk_size, size - done);
    http_request patch{http_method::patch, *location};
    patch.headers.push_back({"Content-Type", "application/octet-stream"});
    patch.headers.push_back(
        {"Content-Range", std::to_string(first) + "-" + std::to_string(first + length - 1)});
    patch.body_source = limited_reader(**source, length, done, size, options.on_progress);
    patch.body_length = length;
    auto response = send(patch, {}, nullptr, stop);
    if (!response) return std::move(response.error());
    if (response->status != 202) return response_error(*response);
    auto where = upload_location(*response);
    if (!where) return std::move(where.error());
    location = std::move(*where);
  }
  http_request close{http_method::put, location->with_query("digest", digest)};
  auto response = send(close, {}, nullptr, stop);
  if (!response) return std::move(response.error());
  if (response->status != 201) return response_error(*response);
  return std::string(digest);
}

caf::expected<blob_push_result> repository::push_blob(std::string_view digest, uint64_t size,
                                                      const blob_opener& open,
                                                      const blob_push_options& options,
                                                      std::stop_token stop) {
  if (auto err = storage::validate_digest(digest)) return err;
  blob_push_result result;
  auto existing = stat_blob(digest, stop);
  if (!existing) return std::move(existing.error());
  if (*existing) {
    result.existed = true;
    return result;
  }
  // A mount that the registry declines still opens an upload session (202): use it.
  std::optional<url> session;
  for (const auto& from : options.mount_from) {
    if (from == path_) continue;
    http_request mount{http_method::post, endpoint_.api(path_ + "/blobs/uploads/")
                                              .with_query("mount", digest)
                                              .with_query("from", from)};
    auto response = send(mount, {repository_scope(from, false)}, nullptr, stop);
    if (!response) return std::move(response.error());
    if (response->status == 201) {
      result.mounted_from = from;
      return result;
    }
    if (response->status == 202) {
      auto where = upload_location(*response);
      if (where) session = std::move(*where);
      break;
    }
  }
  auto uploaded = with_retries(
      options_.retry,
      [&](int n) -> caf::expected<std::string> {
        result.attempts = n;
        auto location = n == 1 ? session : std::nullopt;
        return upload_once(digest, size, open, options, location, stop);
      },
      options.on_retry, stop);
  if (!uploaded) return std::move(uploaded.error());
  return result;
}

} // namespace berth::registry
