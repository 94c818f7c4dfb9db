// Round trips against Debian's real docker-registry on 127.0.0.1: push and pull blobs and
// manifests, indexes, tags, cross-repository mounts, corrupted storage, a registry killed in
// the middle of a download (error, then resume with Range after a restart).
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "registry/platform.hpp"
#include "registry/registry_error.hpp"
#include "registry/repository.hpp"
#include "storage/content_store.hpp"
#include "storage/digest.hpp"
#include "test_content.hpp"
#include "test_registry.hpp"

using namespace berth::registry;
using namespace berth::registry::testing;
using berth::error_message;
using berth::storage::sha256_digest;

namespace {

class distribution : public ::testing::Test {
 protected:
  distribution()
      : config_(make_registry_config({}, {}, "").value()),
        http_(client_options(), make_tls_policy(config_)) {}

  static http_client_options client_options() {
    http_client_options o;
    o.connect_timeout = std::chrono::seconds(5);
    o.io_timeout = std::chrono::seconds(10);
    return o;
  }

  std::unique_ptr<repository> open(const std::string& name, endpoint_use use,
                                   repository_options options = quick_retries()) {
    auto ref = berth::storage::parse_normalized(registry_.domain() + "/" + name).value();
    auto repo = repository::open(http_, config_, ref, {}, use, options);
    EXPECT_TRUE(repo) << (repo ? "" : error_message(repo.error()));
    return repo ? std::move(*repo) : nullptr;
  }

  temp_dir dir_;
  test_registry registry_{dir_};
  registry_config config_;
  http_client http_;
};

} // namespace

TEST_F(distribution, falls_back_to_http_for_a_loopback_registry) {
  auto https = lookup_endpoints(config_, registry_.domain(), endpoint_use::pull).value().front();
  auto direct = repository::open_endpoint(http_, https, "x", {}, endpoint_use::pull);
  ASSERT_FALSE(direct);
  EXPECT_NE(error_message(direct.error()).find("http: server gave HTTP response to HTTPS client"),
            std::string::npos)
      << error_message(direct.error());
  auto repo = open("x", endpoint_use::pull);
  ASSERT_TRUE(repo);
  EXPECT_EQ(repo->endpoint().base.scheme, "http");
}

TEST_F(distribution, pushes_and_pulls_an_image) {
  auto push = open("team/app", endpoint_use::push);
  ASSERT_TRUE(push);
  auto config = std::string(R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers"}})");
  auto layer = make_blob(3 * 1024 * 1024 + 17, 1);
  auto layer_digest = sha256_digest(layer);

  // A chunked upload of the layer, a monolithic one of the config.
  blob_push_options chunked;
  chunked.chunk_size = 1024 * 1024;
  uint64_t progress = 0;
  chunked.on_progress = [&](uint64_t done, uint64_t) { progress = done; };
  auto pushed = push->push_blob(layer_digest, layer.size(), opener_of(layer), chunked);
  ASSERT_TRUE(pushed) << error_message(pushed.error());
  EXPECT_FALSE(pushed->existed);
  EXPECT_EQ(progress, layer.size());
  auto manifest = push_image(*push, "v1", config, {layer});

  // Pushing again finds the blob.
  auto again = push->push_blob(layer_digest, layer.size(), opener_of(layer));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->existed);

  auto pull = open("team/app", endpoint_use::pull);
  ASSERT_TRUE(pull);
  auto fetched = pull->get_manifest("v1");
  ASSERT_TRUE(fetched) << error_message(fetched.error());
  EXPECT_EQ(fetched->bytes, manifest);
  EXPECT_EQ(fetched->media_type, media_type::docker_manifest);
  EXPECT_EQ(fetched->digest, sha256_digest(manifest));
  auto by_digest = pull->get_manifest(fetched->digest);
  ASSERT_TRUE(by_digest) << error_message(by_digest.error());
  EXPECT_EQ(by_digest->bytes, manifest);

  auto parsed = parse_manifest(fetched->bytes, fetched->media_type);
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->layers.size(), 1u);
  EXPECT_EQ(parsed->layers[0].digest, layer_digest);

  // The layer streams into a content store and is committed under its digest.
  temp_dir store_dir;
  auto store = std::move(*berth::storage::content_store::open(store_dir.path().string()));
  auto sink = std::move(*content_store_sink::open(*store));
  blob_fetch_options fetch;
  fetch.size = layer.size();
  auto got = pull->fetch_blob(layer_digest, *sink, fetch);
  ASSERT_TRUE(got) << error_message(got.error());
  EXPECT_EQ(got->size, layer.size());
  EXPECT_EQ(got->attempts, 1);
  ASSERT_TRUE(sink->commit(layer_digest));
  EXPECT_EQ(store->read(layer_digest, layer.size()).value(), layer);

  string_blob_sink config_sink(1 << 20);
  ASSERT_TRUE(pull->fetch_blob(sha256_digest(config), config_sink));
  EXPECT_EQ(config_sink.data(), config);

  EXPECT_EQ(pull->stat_blob(layer_digest).value(), std::optional<uint64_t>(layer.size()));
  EXPECT_EQ(pull->stat_blob(sha256_digest("absent")).value(), std::nullopt);

  ASSERT_TRUE(push->put_manifest("v2", media_type::docker_manifest, manifest));
  auto tags = pull->list_tags();
  ASSERT_TRUE(tags) << error_message(tags.error());
  std::sort(tags->begin(), tags->end());
  EXPECT_EQ(*tags, (std::vector<std::string>{"v1", "v2"}));
}

TEST_F(distribution, mounts_blobs_across_repositories) {
  auto source = open("src/app", endpoint_use::push);
  ASSERT_TRUE(source);
  auto layer = make_blob(200 * 1024, 2);
  push_image(*source, "1", "{}", {layer});
  auto target = open("dst/app", endpoint_use::push);
  ASSERT_TRUE(target);
  blob_push_options options;
  options.mount_from = {"src/app"};
  auto pushed = target->push_blob(sha256_digest(layer), layer.size(), opener_of(layer), options);
  ASSERT_TRUE(pushed) << error_message(pushed.error());
  EXPECT_EQ(pushed->mounted_from, "src/app");
  EXPECT_EQ(pushed->attempts, 0);
  EXPECT_TRUE(target->stat_blob(sha256_digest(layer)).value());
}

TEST_F(distribution, pulls_the_wanted_platform_from_an_index) {
  auto push = open("multi", endpoint_use::push);
  ASSERT_TRUE(push);
  auto amd64 = push_image(*push, "amd64", R"({"architecture":"amd64"})", {make_blob(1000, 3)});
  auto arm64 = push_image(*push, "arm64", R"({"architecture":"arm64"})", {make_blob(1000, 4)});
  auto index = oci_index({{arm64, "linux/arm64/v8"}, {amd64, "linux/amd64"}});
  ASSERT_TRUE(push->put_manifest("latest", media_type::oci_index, index));

  auto pull = open("multi", endpoint_use::pull);
  auto fetched = pull->get_manifest("latest");
  ASSERT_TRUE(fetched) << error_message(fetched.error());
  EXPECT_EQ(fetched->media_type, media_type::oci_index);
  auto parsed = parse_manifest(fetched->bytes, fetched->media_type).value();
  auto chosen = select_manifest(parsed, default_platform());
  ASSERT_TRUE(chosen);
  EXPECT_EQ(chosen->digest, sha256_digest(amd64));
  auto image = pull->get_manifest(chosen->digest);
  ASSERT_TRUE(image);
  EXPECT_EQ(image->bytes, amd64);
  EXPECT_EQ(select_manifest(parsed, *parse_platform("linux/arm64"))->digest, sha256_digest(arm64));
}

TEST_F(distribution, reports_unknown_manifests_like_dockerd) {
  auto pull = open("nothing/here", endpoint_use::pull);
  ASSERT_TRUE(pull);
  auto missing = pull->get_manifest("nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(berth::error_kind(missing.error()), berth::errc::not_found);
  auto ref = berth::storage::parse_normalized(registry_.domain() + "/nothing/here:nope").value();
  EXPECT_EQ(error_message(translate_pull_error(missing.error(), ref)),
            "manifest for " + registry_.domain() +
                "/nothing/here:nope not found: manifest unknown: manifest unknown");
  string_blob_sink sink(1024);
  auto blob = pull->fetch_blob(sha256_digest("x"), sink);
  ASSERT_FALSE(blob);
  EXPECT_EQ(error_message(blob.error()), "blob unknown: blob unknown to registry");
}

TEST_F(distribution, rejects_a_blob_whose_content_does_not_match_its_digest) {
  auto push = open("corrupt", endpoint_use::push);
  auto layer = make_blob(512 * 1024, 5);
  push_image(*push, "1", "{}", {layer});
  auto digest = sha256_digest(layer);
  // Flip bytes in the registry's own storage: it serves them as they are.
  {
    std::fstream f(registry_.blob_data_path(digest),
                   std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f.good());
    f.seekp(1000);
    f.write("CORRUPTED", 9);
  }
  temp_dir store_dir;
  auto store = std::move(*berth::storage::content_store::open(store_dir.path().string()));
  int retries = 0;
  {
    auto sink = std::move(*content_store_sink::open(*store));
    blob_fetch_options options;
    options.size = layer.size();
    options.on_retry = [&](int, auto, const auto&) { ++retries; };
    auto pull = open("corrupt", endpoint_use::pull);
    auto got = pull->fetch_blob(digest, *sink, options);
    ASSERT_FALSE(got);
    EXPECT_EQ(error_message(got.error()),
              "filesystem layer verification failed for digest " + digest);
  } // the sink is dropped uncommitted
  EXPECT_EQ(retries, 0);
  EXPECT_FALSE(store->has(digest));
  EXPECT_TRUE(store->list().empty());
  size_t leftovers = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(store_dir.path()))
    leftovers += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(leftovers, 0u);
}

namespace {

/// A sink that runs `action` once, when `after` bytes have arrived.
class tripwire_sink final : public blob_sink {
 public:
  tripwire_sink(uint64_t after, std::function<void()> action)
      : after_(after), action_(std::move(action)) {}
  caf::error write(const char* data, size_t n) override {
    data_.append(data, n);
    if (action_ && data_.size() >= after_) std::exchange(action_, nullptr)();
    return {};
  }
  caf::error restart() override {
    ++restarts_;
    data_.clear();
    return {};
  }
  caf::expected<std::string> digest() override { return sha256_digest(data_); }
  std::string data_;
  int restarts_ = 0;

 private:
  uint64_t after_;
  std::function<void()> action_;
};

} // namespace

TEST_F(distribution, a_registry_killed_mid_download_is_a_clear_error) {
  auto push = open("big", endpoint_use::push);
  auto layer = make_blob(48 * 1024 * 1024, 6);
  push_image(*push, "1", "{}", {layer});
  auto pull = open("big", endpoint_use::pull);
  tripwire_sink sink(1024 * 1024, [&] { registry_.kill(); });
  blob_fetch_options options;
  options.size = layer.size();
  int retries = 0;
  options.on_retry = [&](int, auto, const auto&) { ++retries; };
  auto got = pull->fetch_blob(sha256_digest(layer), sink, options);
  ASSERT_FALSE(got);
  EXPECT_TRUE(is_transient(got.error()));
  EXPECT_NE(error_message(got.error()).find("connect: connection refused"), std::string::npos)
      << error_message(got.error());
  EXPECT_EQ(retries, 2); // three attempts in all
  EXPECT_LT(sink.data_.size(), layer.size());
}

TEST_F(distribution, resumes_an_interrupted_download_with_a_range_request) {
  auto push = open("big", endpoint_use::push);
  auto layer = make_blob(48 * 1024 * 1024, 7);
  push_image(*push, "1", "{}", {layer});
  auto pull = open("big", endpoint_use::pull);
  tripwire_sink sink(1024 * 1024, [&] { registry_.restart(); });
  blob_fetch_options options;
  options.size = layer.size();
  auto got = pull->fetch_blob(sha256_digest(layer), sink, options);
  ASSERT_TRUE(got) << error_message(got.error());
  EXPECT_EQ(got->attempts, 2);
  EXPECT_GT(got->resumed_from, 0u);
  EXPECT_LT(got->resumed_from, layer.size());
  EXPECT_FALSE(got->restarted);
  EXPECT_EQ(sink.restarts_, 0);
  EXPECT_TRUE(sink.data_ == layer);
}

TEST_F(distribution, docker_hub_pulls_go_to_a_live_mirror_first) {
  auto push = open("library/hello", endpoint_use::push);
  auto manifest = push_image(*push, "latest", "{}", {make_blob(1000, 40)});
  uint16_t dead_port;
  {
    temp_dir gone_dir;
    test_registry gone(gone_dir);
    dead_port = gone.port();
  } // stopped: its port refuses connections
  auto config =
      make_registry_config(
          {}, {"http://127.0.0.1:" + std::to_string(dead_port), "http://" + registry_.domain()}, "")
          .value();
  http_client http({}, make_tls_policy(config));
  auto ref = berth::storage::parse_normalized("hello").value();
  auto repo = repository::open(http, config, ref, {}, endpoint_use::pull, quick_retries());
  ASSERT_TRUE(repo) << error_message(repo.error());
  EXPECT_TRUE((*repo)->endpoint().mirror);
  EXPECT_EQ((*repo)->endpoint().base.port, registry_.port());
  EXPECT_EQ((*repo)->path(), "library/hello");
  EXPECT_EQ((*repo)->get_manifest("latest").value().bytes, manifest);
}

TEST_F(distribution, parallel_downloads_share_one_repository) {
  auto push = open("parallel", endpoint_use::push);
  std::vector<std::string> layers;
  for (uint32_t i = 0; i < 4; ++i)
    layers.push_back(make_blob(2 * 1024 * 1024 + i, 50 + i));
  push_image(*push, "1", "{}", layers);
  auto pull = open("parallel", endpoint_use::pull);
  std::vector<std::string> results(layers.size());
  std::vector<std::string> errors(layers.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < layers.size(); ++i)
    threads.emplace_back([&, i] {
      string_blob_sink sink(4 * 1024 * 1024);
      auto got = pull->fetch_blob(sha256_digest(layers[i]), sink);
      if (!got) errors[i] = error_message(got.error());
      results[i] = sink.take();
    });
  for (auto& t : threads)
    t.join();
  for (size_t i = 0; i < layers.size(); ++i) {
    EXPECT_EQ(errors[i], "");
    EXPECT_TRUE(results[i] == layers[i]) << i;
  }
}
