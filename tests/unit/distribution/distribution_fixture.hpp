// The fixture of the pull and push tests: a real docker-registry (the registry client tests'
// harness), a registry service, a content store and a layer store in a temp directory, and test
// images made of real layer tars pushed with the registry client.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../registry/test_content.hpp"
#include "../registry/test_registry.hpp"
#include "../storage/tar_builder.hpp"
#include "base/error.hpp"
#include "distribution/image_pull.hpp"
#include "distribution/image_push.hpp"
#include "distribution/registry_service.hpp"
#include "recording_output.hpp"
#include "registry/repository.hpp"
#include "storage/digest.hpp"

namespace berth::distribution::testing {

using registry::testing::make_blob;
using registry::testing::opener_of;
using registry::testing::temp_dir;
using registry::testing::test_registry;

/// An image as a registry holds it.
struct test_image {
  std::string config;
  std::vector<std::string> layers; ///< blobs (gzip tars)
  std::vector<std::string> diff_ids;
  std::string manifest;
  std::string digest; ///< of the manifest
  [[nodiscard]] std::string id() const { return storage::sha256_digest(config); }
};

/// A gzip layer with one file `name` holding `size` pseudo-random bytes.
inline std::pair<std::string, std::string> make_layer(const std::string& name, size_t size,
                                                      uint32_t seed) {
  auto tar = berth::test::make_tar({berth::test::file_entry(name, make_blob(size, seed))});
  return {berth::test::compress(tar, berth::test::compression::gzip), storage::sha256_digest(tar)};
}

/// An image of `layers` (file name, size) pairs; `seed` makes different images.
inline test_image make_image(const std::vector<std::pair<std::string, size_t>>& layers,
                             uint32_t seed, const std::string& architecture = "amd64") {
  test_image img;
  nlohmann::json diff_ids = nlohmann::json::array();
  for (size_t i = 0; i < layers.size(); ++i) {
    auto [blob, diff_id] =
        make_layer(layers[i].first, layers[i].second, seed * 100 + static_cast<uint32_t>(i));
    img.layers.push_back(blob);
    img.diff_ids.push_back(diff_id);
    diff_ids.push_back(diff_id);
  }
  img.config = nlohmann::json{{"architecture", architecture},
                              {"os", "linux"},
                              {"config", {{"Cmd", {"sh"}}}},
                              {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}}
                   .dump();
  img.manifest = registry::testing::schema2_manifest(img.config, img.layers);
  img.digest = storage::sha256_digest(img.manifest);
  return img;
}

class distribution_test : public ::testing::Test {
 protected:
  distribution_test() {
    registry_settings s;
    s.max_download_attempts = 2;
    s.initial_backoff = std::chrono::milliseconds(20);
    s.max_backoff = std::chrono::milliseconds(50);
    service_ = registry_service::create(s, nullptr).value();
    content_ = std::move(*storage::content_store::open(dir_ / "content"));
    layers_ = std::move(*storage::layer_store::open(dir_ / "overlay2"));
  }

  std::string ref(const std::string& name) const { return registry_.domain() + "/" + name; }

  /// Pushes `img` with the registry client as `name:tag`.
  void push_raw(const test_image& img, const std::string& name, const std::string& tag) {
    auto repo = open(name, registry::endpoint_use::push);
    ASSERT_TRUE(repo);
    for (const auto* blob : {&img.config}) {
      ASSERT_TRUE(repo->push_blob(storage::sha256_digest(*blob), blob->size(), opener_of(*blob)));
    }
    for (const auto& layer : img.layers)
      ASSERT_TRUE(repo->push_blob(storage::sha256_digest(layer), layer.size(), opener_of(layer)));
    ASSERT_TRUE(repo->put_manifest(tag, registry::media_type::docker_manifest, img.manifest));
  }

  std::unique_ptr<registry::repository> open(const std::string& name, registry::endpoint_use use) {
    auto snap = service_->current();
    auto r = storage::parse_normalized(ref(name)).value();
    auto repo = registry::repository::open(*snap->http, snap->config, r, {}, use,
                                           registry::testing::quick_retries());
    EXPECT_TRUE(repo) << (repo ? "" : error_message(repo.error()));
    return repo ? std::move(*repo) : nullptr;
  }

  struct pull_run {
    pull_result result;
    std::shared_ptr<recording_output> output = std::make_shared<recording_output>();
    std::shared_ptr<storage::content_store::lease> lease;
  };

  /// Pulls `text` as the images manager would, with what the test says is present.
  pull_run pull(const std::string& text, std::set<std::string> present_chains = {},
                std::set<std::string> present_images = {}, std::stop_token stop = {},
                registry::platform platform = {"linux", "amd64", "", ""}) {
    pull_run run;
    run.lease = content_->make_lease();
    pull_context ctx;
    ctx.service = service_;
    ctx.content = content_;
    ctx.layers = layers_;
    ctx.lease = run.lease;
    ctx.present_chains = std::move(present_chains);
    ctx.present_images = std::move(present_images);
    ctx.progress = std::make_shared<progress_reporter>(run.output);
    ctx.stop = stop;
    pull_request req{storage::parse_normalized(text).value(), platform, {}};
    run.result = pull_image(req, ctx);
    return run;
  }

  /// The chain IDs a pull unpacked.
  static std::set<std::string> chains_of(const pull_result& r) {
    std::set<std::string> out;
    for (const auto& l : r.new_layers)
      out.insert(l.chain_id);
    return out;
  }

  temp_dir dir_;
  test_registry registry_{dir_};
  std::shared_ptr<registry_service> service_;
  std::shared_ptr<storage::content_store> content_;
  std::shared_ptr<storage::layer_store> layers_;
};

} // namespace berth::distribution::testing
