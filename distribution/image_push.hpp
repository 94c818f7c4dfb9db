// `docker push` as blocking code: for each tag, make sure every layer blob is in the target
// repository (HEAD, then a cross-repository mount from a repository of the same registry known
// to have it, then an upload; in parallel, bounded daemon-wide), then the config blob and the
// manifest (see push_manifest.hpp), reporting Docker's progress stream.
// Blocking: run it on a dedicated thread. Cancellable through `push_context::stop`.
#pragma once

#include <cstdint>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "distribution/progress_output.hpp"
#include "distribution/registry_service.hpp"
#include "registry/credentials.hpp"
#include "storage/content_store.hpp"
#include "storage/image_record.hpp"
#include "storage/layer_store.hpp"
#include "storage/reference.hpp"

namespace berth::distribution {

/// One tag to push, with copies of its records (the store may change meanwhile).
struct push_item {
  std::string tag;
  storage::image_record image;
  std::vector<storage::layer_record> layers; ///< bottom first
};

struct push_request {
  storage::reference repository; ///< the name (domain and path), no tag
  std::vector<push_item> items;
  registry::registry_credentials credentials;
};

/// What the daemon lends one push. The caller's lease keeps the blobs until it ends.
struct push_context {
  std::shared_ptr<registry_service> service;
  std::shared_ptr<storage::content_store> content;
  std::shared_ptr<progress_reporter> progress;
  std::stop_token stop;
};

struct pushed_tag {
  std::string tag;
  std::string image_id;
  std::string digest; ///< the manifest's
  uint64_t size = 0;  ///< the manifest's
};

/// Pushes every item; stops at the first failure.
[[nodiscard]] caf::expected<std::vector<pushed_tag>> push_image(const push_request& request,
                                                                const push_context& ctx);

} // namespace berth::distribution
