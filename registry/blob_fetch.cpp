// Blob downloads: streamed into a sink (which hashes them), retried and resumed with Range.
#include <charconv>

#include "base/error.hpp"
#include "registry/registry_error.hpp"
#include "registry/repository.hpp"
#include "storage/digest.hpp"

namespace berth::registry {

namespace {

/// The first byte of a `Content-Range: bytes <first>-<last>/<total>` header.
std::optional<uint64_t> range_start(std::string_view content_range) {
  if (!content_range.starts_with("bytes ")) return std::nullopt;
  content_range.remove_prefix(6);
  uint64_t first = 0;
  auto [end, ec] =
      std::from_chars(content_range.data(), content_range.data() + content_range.size(), first);
  if (ec != std::errc{} || end == content_range.data() + content_range.size() || *end != '-')
    return std::nullopt;
  return first;
}

/// The state of one download across its attempts.
struct download {
  blob_sink& sink;
  const blob_fetch_options& options;
  uint64_t received = 0;
  blob_fetch_result result;

  caf::error start_over() {
    received = 0;
    result.restarted = true;
    return sink.restart();
  }

  /// Checks the head of an attempt's 2xx response and decides where the body continues.
  caf::error on_head(const http_response& head, uint64_t asked_from) {
    if (asked_from == 0) return {};
    if (head.status == 206) {
      auto start = range_start(head.header("Content-Range").value_or(""));
      if (start && *start == asked_from) {
        result.resumed_from = asked_from;
        return {};
      }
      // A range we did not ask for: start over on the next attempt, without Range.
      if (auto err = start_over()) return err;
      return make_error(errc::unavailable, "the registry answered with an unexpected range");
    }
    // 200: the whole blob again (the server ignores Range).
    result.resumed_from = 0;
    return start_over();
  }

  caf::error on_data(const char* data, size_t n) {
    if (options.size && received + n > *options.size)
      return make_error(errc::invalid_argument, "blob larger than its descriptor's " +
                                                    std::to_string(*options.size) + " bytes");
    if (auto err = sink.write(data, n)) return err;
    received += n;
    if (options.on_progress) options.on_progress(received, options.size.value_or(0));
    return {};
  }
};

} // namespace

caf::expected<blob_fetch_result> repository::fetch_blob(std::string_view digest, blob_sink& sink,
                                                        const blob_fetch_options& options,
                                                        std::stop_token stop) {
  if (auto err = storage::validate_digest(digest)) return err;
  if (!storage::is_sha256_digest(digest))
    return make_error(errc::not_implemented,
                      "unsupported digest algorithm in " + std::string(digest));
  download state{sink, options};
  auto attempt = [&](int n) -> caf::expected<blob_fetch_result> {
    state.result.attempts = n;
    http_request request{http_method::get, endpoint_.api(path_ + "/blobs/" + std::string(digest))};
    const uint64_t from = state.received;
    if (from > 0) request.headers.push_back({"Range", "bytes=" + std::to_string(from) + "-"});
    response_handler handler;
    handler.on_head = [&](const http_response& head) { return state.on_head(head, from); };
    handler.on_data = [&](const char* data, size_t len) { return state.on_data(data, len); };
    auto response = send(request, {}, &handler, stop);
    if (!response) return std::move(response.error());
    if (response->status == 416 && from > 0) {
      // The server cannot serve the rest (e.g. it has a shorter blob): start over.
      if (auto err = state.start_over()) return err;
      return make_error(errc::unavailable, "the registry refused the resumed range");
    }
    if (!response->success()) return response_error(*response);
    if (options.size && state.received != *options.size)
      return make_error(errc::unavailable, "unexpected EOF: blob " + std::string(digest) +
                                               " ended after " + std::to_string(state.received) +
                                               " of " + std::to_string(*options.size) + " bytes");
    auto actual = sink.digest();
    if (!actual) return std::move(actual.error());
    if (*actual != digest)
      return make_error(errc::internal,
                        "filesystem layer verification failed for digest " + std::string(digest));
    state.result.size = state.received;
    return state.result;
  };
  return with_retries(options_.retry, attempt, options.on_retry, stop);
}

} // namespace berth::registry
