// One repository on one registry endpoint, over the distribution (registry v2) API: ping,
// manifests (GET by tag or digest with the right Accept header, size limit, digest check; PUT),
// blobs (HEAD; GET streamed with sha256 verification, retries and Range resume; upload with
// cross-repository mount, monolithic or chunked), tags. Authorization is automatic: the
// challenge from the ping, then Basic or bearer tokens for the repository's scope, renewed on a
// 401.
//
// Thread-safety: a repository is shared by the threads of one pull or push (parallel blob
// transfers); every call blocks on the calling thread. The http_client must outlive it.
// Errors: caf::error with dockerd-like texts (see registry_error.hpp); for a pull, pass them
// through translate_pull_error.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "base/byte_source.hpp"
#include "registry/authorizer.hpp"
#include "registry/blob_sink.hpp"
#include "registry/credentials.hpp"
#include "registry/http_client.hpp"
#include "registry/manifest.hpp"
#include "registry/registry_config.hpp"
#include "registry/retry_policy.hpp"
#include "storage/reference.hpp"

namespace berth::registry {

struct repository_options {
  retry_policy retry;
  size_t manifest_size_limit = max_manifest_size;
  /// Most tag-list pages followed (Link: rel="next").
  int max_tag_pages = 100;
};

/// A manifest as fetched.
struct fetched_manifest {
  std::string media_type; ///< from Content-Type, or detected
  std::string digest;     ///< sha256 of the bytes (verified when fetched by digest)
  std::string bytes;
};

/// Reports a transfer's progress: bytes done so far and the total (0 when unknown).
using progress_callback = std::function<void(uint64_t done, uint64_t total)>;

struct blob_fetch_options {
  /// The descriptor's size: more bytes are refused, fewer are an error.
  std::optional<uint64_t> size;
  progress_callback on_progress;
  retry_callback on_retry;
};

struct blob_fetch_result {
  uint64_t size = 0;
  int attempts = 0;
  /// The offset the last successful attempt resumed from with a Range request (0: from start).
  uint64_t resumed_from = 0;
  /// True when a resume was answered from byte 0 and the sink started over.
  bool restarted = false;
};

/// Opens a blob's content for an upload attempt (each retry opens it again).
using blob_opener = std::function<caf::expected<std::unique_ptr<byte_source>>()>;

struct blob_push_options {
  /// Repositories on the same registry that may hold the blob: a cross-repository mount is
  /// tried from each before uploading.
  std::vector<std::string> mount_from;
  /// 0: one monolithic PUT; otherwise PATCH chunks of this size, then the closing PUT.
  uint64_t chunk_size = 0;
  progress_callback on_progress;
  retry_callback on_retry;
};

struct blob_push_result {
  bool existed = false;     ///< the registry already had it (HEAD)
  std::string mounted_from; ///< the repository it was mounted from, if it was
  int attempts = 0;         ///< upload attempts (0 when it existed or was mounted)
};

class repository {
 public:
  /// Tries the endpoints `lookup_endpoints` gives for `ref`'s domain in order and binds to the
  /// first whose ping answers (a transport failure moves on to the next, as dockerd falls back
  /// from https to http for insecure registries and from mirrors to Docker Hub).
  [[nodiscard]] static caf::expected<std::unique_ptr<repository>>
  open(http_client& http, const registry_config& config, const storage::reference& ref,
       registry_credentials credentials, endpoint_use use, repository_options options = {},
       std::stop_token stop = {});

  /// Binds to one endpoint after pinging it.
  [[nodiscard]] static caf::expected<std::unique_ptr<repository>>
  open_endpoint(http_client& http, registry_endpoint endpoint, std::string path,
                registry_credentials credentials, endpoint_use use, repository_options options = {},
                std::stop_token stop = {});

  [[nodiscard]] const registry_endpoint& endpoint() const { return endpoint_; }
  /// The repository path on the registry: "library/busybox".
  [[nodiscard]] const std::string& path() const { return path_; }

  /// GET /v2/<path>/manifests/<tag or digest>. Larger than the size limit, schema 1, or (by
  /// digest) bytes of another digest are errors.
  [[nodiscard]] caf::expected<fetched_manifest> get_manifest(std::string_view tag_or_digest,
                                                             std::stop_token stop = {});

  /// PUT /v2/<path>/manifests/<tag or digest> with `media_type` as Content-Type. Returns the
  /// manifest's digest.
  [[nodiscard]] caf::expected<std::string> put_manifest(std::string_view tag_or_digest,
                                                        std::string_view media_type,
                                                        std::string_view bytes,
                                                        std::stop_token stop = {});

  /// HEAD /v2/<path>/blobs/<digest>: the blob's size, or nullopt when the registry lacks it.
  [[nodiscard]] caf::expected<std::optional<uint64_t>> stat_blob(std::string_view digest,
                                                                 std::stop_token stop = {});

  /// GET /v2/<path>/blobs/<digest> into `sink` (which hashes it). A transient failure is
  /// retried (bounded, with backoff) and resumed with a Range request from the bytes already
  /// received; a server that answers the Range with the whole blob makes the sink start over.
  /// A digest mismatch is an error ("filesystem layer verification failed for digest ...") that
  /// is not retried; the caller drops what the sink holds.
  [[nodiscard]] caf::expected<blob_fetch_result> fetch_blob(std::string_view digest,
                                                            blob_sink& sink,
                                                            const blob_fetch_options& options = {},
                                                            std::stop_token stop = {});

  /// Uploads a blob unless the registry has it: HEAD, then a mount attempt from each
  /// `mount_from` repository, then POST /v2/<path>/blobs/uploads/ and a monolithic PUT or
  /// PATCH chunks and a PUT ?digest=. Transient failures retry the upload from the start.
  [[nodiscard]] caf::expected<blob_push_result> push_blob(std::string_view digest, uint64_t size,
                                                          const blob_opener& open,
                                                          const blob_push_options& options = {},
                                                          std::stop_token stop = {});

  /// GET /v2/<path>/tags/list, following pagination.
  [[nodiscard]] caf::expected<std::vector<std::string>> list_tags(std::stop_token stop = {});

  /// The scopes requests of this repository ask tokens for.
  [[nodiscard]] std::vector<std::string> scopes() const;

  /// Sends `request` with this repository's authorization (extra scopes added), renewing it
  /// once on a 401. For requests the API above does not cover.
  [[nodiscard]] caf::expected<http_response> send(http_request request,
                                                  const std::vector<std::string>& extra_scopes,
                                                  const response_handler* handler,
                                                  std::stop_token stop);

 private:
  repository(http_client& http, registry_endpoint endpoint, std::string path,
             registry_credentials credentials, endpoint_use use, repository_options options);

  caf::expected<std::string> upload_once(std::string_view digest, uint64_t size,
                                         const blob_opener& open, const blob_push_options& options,
                                         std::optional<url> location, std::stop_token stop);

  http_client& http_;
  registry_endpoint endpoint_;
  std::string path_;
  endpoint_use use_;
  repository_options options_;
  authorizer authorizer_;
};

} // namespace berth::registry
