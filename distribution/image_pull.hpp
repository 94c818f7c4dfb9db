// `docker pull` as blocking code: resolve the tag (or every tag, or a digest) to a manifest,
// choose the platform's manifest from an index, fetch the config, download the missing layer
// blobs in parallel into the content store (bounded daemon-wide, shared with concurrent pulls of
// the same blob), unpack them in order as they arrive, and report it all as Docker's progress
// stream. Nothing is registered here: the caller (the images manager) commits the result in one
// batch, or removes `new_layers` when the pull failed. Blobs are protected by the caller's lease
// until then.
// Blocking: run it on a dedicated thread. Cancellable through `pull_context::stop`.
#pragma once

#include <memory>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

#include <caf/error.hpp>

#include "distribution/progress_output.hpp"
#include "distribution/registry_service.hpp"
#include "registry/credentials.hpp"
#include "registry/manifest.hpp"
#include "storage/content_store.hpp"
#include "storage/image_record.hpp"
#include "storage/layer_store.hpp"
#include "storage/layer_unpack.hpp"
#include "storage/reference.hpp"

namespace berth::distribution {

struct pull_request {
  storage::reference ref; ///< normalized; a tag, a digest, or neither (every tag)
  registry::platform platform;
  registry::registry_credentials credentials;
};

/// What the daemon lends one pull.
struct pull_context {
  std::shared_ptr<registry_service> service;
  std::shared_ptr<storage::content_store> content;
  std::shared_ptr<storage::layer_store> layers;
  std::shared_ptr<storage::content_store::lease> lease; ///< keeps what the pull stores
  std::set<std::string> present_chains;                 ///< layers the store has
  std::set<std::string> present_images;                 ///< image IDs the store has
  storage::unpack_limits limits;
  std::shared_ptr<progress_reporter> progress;
  std::stop_token stop;
};

struct pulled_image {
  storage::image_record image;         ///< manifest_digest set
  std::vector<std::string> references; ///< normalized, the pulled tag (or digest) first
  bool present = false;                ///< the store had the image already
};

struct pull_result {
  caf::error error;
  std::vector<pulled_image> images;
  std::vector<storage::layer_record> new_layers; ///< unpacked by this pull, also on failure
};

/// Pulls `request` (see the file comment). Errors read like dockerd's ("manifest for x:1 not
/// found: manifest unknown: manifest unknown", "pull access denied for x, ...").
[[nodiscard]] pull_result pull_image(const pull_request& request, const pull_context& ctx);

/// Largest image config accepted.
inline constexpr size_t max_config_size = 8 * 1024 * 1024;

} // namespace berth::distribution
