// Tests distribution/image_pull against a real docker-registry: progress in dockerd's words,
// references, layers already present, images already present, the platform's entry of an index,
// downloads shared by concurrent pulls, corrupted blobs, unknown tags, cancellation.
#include <filesystem>
#include <fstream>
#include <thread>

#include "distribution_fixture.hpp"
#include "storage/image_index.hpp"

using namespace berth;
using namespace berth::distribution;
using namespace berth::distribution::testing;

namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

std::vector<std::string> ingest_files(const storage::content_store& store) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(store.root() + "/ingest"))
    out.push_back(e.path().string());
  return out;
}

} // namespace

TEST_F(distribution_test, pulls_an_image_and_reports_like_dockerd) {
  auto img = make_image({{"a.bin", 300 * 1024}, {"b.bin", 200 * 1024}}, 1);
  push_raw(img, "app", "1");
  auto run = pull(ref("app:1"));
  ASSERT_FALSE(run.result.error) << error_message(run.result.error);
  ASSERT_EQ(run.result.images.size(), 1u);
  const auto& pulled = run.result.images[0];
  EXPECT_EQ(pulled.image.id, img.id());
  EXPECT_EQ(pulled.image.manifest_digest, img.digest);
  EXPECT_EQ(pulled.references, (std::vector<std::string>{ref("app:1"), ref("app@" + img.digest)}));
  EXPECT_FALSE(pulled.present);
  ASSERT_EQ(run.result.new_layers.size(), 2u);
  EXPECT_EQ(run.result.new_layers[0].diff_id, img.diff_ids[0]);
  EXPECT_EQ(run.result.new_layers[1].blob_digest, storage::sha256_digest(img.layers[1]));
  EXPECT_TRUE(std::filesystem::exists(layers_->diff_dir(run.result.new_layers[1]) + "/b.bin"));
  // Config, manifest and layers are in the content store, in the pull's lease.
  for (const auto& d : {img.id(), img.digest, storage::sha256_digest(img.layers[0])})
    EXPECT_TRUE(content_->has(d)) << d;
  (void)content_->collect_garbage({});
  EXPECT_TRUE(content_->has(img.id()));

  auto messages = run.output->messages();
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages.front().id, "1");
  EXPECT_EQ(messages.front().status, "Pulling from app");
  EXPECT_EQ(messages.back().status, "Digest: " + img.digest);
  auto id = storage::short_id(storage::sha256_digest(img.layers[0]));
  EXPECT_EQ(run.output->statuses(id),
            (std::vector<std::string>{"Pulling fs layer", "Downloading", "Verifying Checksum",
                                      "Download complete", "Extracting", "Pull complete"}))
      << run.output->text();
  EXPECT_TRUE(ingest_files(*content_).empty());
}

TEST_F(distribution_test, layers_and_images_already_present_are_not_downloaded) {
  auto base = make_image({{"base.bin", 100 * 1024}}, 2);
  push_raw(base, "base", "1");
  auto first = pull(ref("base:1"));
  ASSERT_FALSE(first.result.error) << error_message(first.result.error);

  // An image on top of the same base layer.
  auto top = make_image({{"base.bin", 100 * 1024}, {"top.bin", 50 * 1024}}, 2);
  push_raw(top, "top", "1");
  auto log_offset = registry_.log().size();
  auto second = pull(ref("top:1"), chains_of(first.result));
  ASSERT_FALSE(second.result.error) << error_message(second.result.error);
  EXPECT_EQ(second.result.new_layers.size(), 1u);
  // (The gzip blob may differ from base's, by its header's time stamp: the diff ID does not.)
  ASSERT_EQ(top.diff_ids[0], base.diff_ids[0]);
  auto base_blob = storage::sha256_digest(top.layers[0]);
  EXPECT_EQ(second.output->statuses(storage::short_id(base_blob)),
            std::vector<std::string>{"Already exists"});
  EXPECT_EQ(count(registry_.log().substr(log_offset), "GET /v2/top/blobs/" + base_blob), 0u);

  // The whole image present: the manifest and config are read, nothing else.
  auto third = pull(ref("top:1"), {}, {top.id()});
  ASSERT_FALSE(third.result.error) << error_message(third.result.error);
  EXPECT_TRUE(third.result.images[0].present);
  EXPECT_TRUE(third.result.new_layers.empty());
  EXPECT_EQ(third.output->messages().size(), 2u) << third.output->text(); // Pulling from, Digest
}

TEST_F(distribution_test, by_digest_and_every_tag) {
  auto img = make_image({{"x", 1000}}, 3);
  push_raw(img, "app", "1");
  push_raw(img, "app", "2");
  auto by_digest = pull(ref("app@" + img.digest));
  ASSERT_FALSE(by_digest.result.error) << error_message(by_digest.result.error);
  EXPECT_EQ(by_digest.result.images[0].references,
            std::vector<std::string>{ref("app@" + img.digest)});
  EXPECT_EQ(by_digest.output->messages().front().id, ref("app@" + img.digest));

  auto all = pull(ref("app"));
  ASSERT_FALSE(all.result.error) << error_message(all.result.error);
  ASSERT_EQ(all.result.images.size(), 2u);
  std::set<std::string> tags{all.result.images[0].references.front(),
                             all.result.images[1].references.front()};
  EXPECT_EQ(tags, (std::set<std::string>{ref("app:1"), ref("app:2")}));
  // The second tag found the layer the first one unpacked.
  EXPECT_EQ(all.result.new_layers.size(), 1u);
}

TEST_F(distribution_test, an_index_gives_the_wanted_platform) {
  auto amd64 = make_image({{"amd", 1000}}, 4, "amd64");
  auto arm64 = make_image({{"arm", 1000}}, 5, "arm64");
  push_raw(amd64, "multi", "amd64");
  push_raw(arm64, "multi", "arm64");
  auto index = registry::testing::oci_index(
      {{amd64.manifest, "linux/amd64"}, {arm64.manifest, "linux/arm64/v8"}});
  auto repo = open("multi", registry::endpoint_use::push);
  ASSERT_TRUE(repo->put_manifest("all", registry::media_type::oci_index, index));
  auto index_digest = storage::sha256_digest(index);

  auto run = pull(ref("multi:all"));
  ASSERT_FALSE(run.result.error) << error_message(run.result.error);
  EXPECT_EQ(run.result.images[0].image.id, amd64.id());
  EXPECT_EQ(run.result.images[0].image.manifest_digest, amd64.digest);
  EXPECT_EQ(run.result.images[0].references.back(), ref("multi@" + index_digest));
  EXPECT_EQ(run.output->messages().back().status, "Digest: " + index_digest);

  auto arm = pull(ref("multi:all"), {}, {}, {}, {"linux", "arm64", "", ""});
  ASSERT_FALSE(arm.result.error) << error_message(arm.result.error);
  EXPECT_EQ(arm.result.images[0].image.id, arm64.id());

  auto none = pull(ref("multi:all"), {}, {}, {}, {"linux", "s390x", "", ""});
  ASSERT_TRUE(none.result.error);
  EXPECT_EQ(error_message(none.result.error),
            "no matching manifest for linux/s390x in the manifest list entries");
}

TEST_F(distribution_test, concurrent_pulls_download_each_blob_once) {
  auto img = make_image({{"a", 3 << 20}, {"b", 3 << 20}, {"c", 3 << 20}}, 6);
  push_raw(img, "big", "1");
  auto log_offset = registry_.log().size();
  pull_run a, b;
  std::thread ta([&] { a = pull(ref("big:1")); });
  std::thread tb([&] { b = pull(ref("big:1")); });
  ta.join();
  tb.join();
  ASSERT_FALSE(a.result.error) << error_message(a.result.error);
  ASSERT_FALSE(b.result.error) << error_message(b.result.error);
  auto log = registry_.log().substr(log_offset);
  for (const auto& layer : img.layers)
    EXPECT_EQ(count(log, "GET /v2/big/blobs/" + storage::sha256_digest(layer)), 1u) << log;
  // Both unpacked their own copy (the images manager keeps one), from the same blobs.
  EXPECT_EQ(a.result.new_layers.size(), 3u);
  EXPECT_EQ(b.result.new_layers.size(), 3u);
}

TEST_F(distribution_test, a_corrupted_blob_is_rejected_and_nothing_is_kept) {
  auto img = make_image({{"a", 64 * 1024}, {"b", 64 * 1024}}, 7);
  push_raw(img, "bad", "1");
  {
    std::ofstream data(registry_.blob_data_path(storage::sha256_digest(img.layers[1])),
                       std::ios::binary | std::ios::in | std::ios::out);
    data.seekp(1000);
    data.write("XXXX", 4);
  }
  auto run = pull(ref("bad:1"));
  ASSERT_TRUE(run.result.error);
  EXPECT_NE(error_message(run.result.error)
                .find("filesystem layer verification failed for digest " +
                      storage::sha256_digest(img.layers[1])),
            std::string::npos)
      << error_message(run.result.error);
  EXPECT_FALSE(content_->has(storage::sha256_digest(img.layers[1])));
  EXPECT_FALSE(content_->has(img.id())); // the config is only kept with a complete image
  EXPECT_TRUE(ingest_files(*content_).empty());
  // What was unpacked is handed back for removal.
  for (const auto& l : run.result.new_layers)
    EXPECT_FALSE(layers_->remove(l));
}

TEST_F(distribution_test, unknown_tags_and_repositories_read_like_dockerd) {
  auto img = make_image({{"a", 100}}, 8);
  push_raw(img, "app", "1");
  auto tag = pull(ref("app:nope"));
  EXPECT_EQ(error_kind(tag.result.error), errc::not_found);
  EXPECT_EQ(error_message(tag.result.error),
            "manifest for " + ref("app:nope") + " not found: manifest unknown: manifest unknown");
  auto scratch = pull("scratch:latest");
  EXPECT_EQ(error_message(scratch.result.error), "'scratch' is a reserved name");
}

TEST_F(distribution_test, a_cancelled_pull_stops_and_keeps_nothing) {
  auto img = make_image({{"a", 8 << 20}}, 9);
  push_raw(img, "slow", "1");
  std::stop_source client;
  client.request_stop();
  auto run = pull(ref("slow:1"), {}, {}, client.get_token());
  ASSERT_TRUE(run.result.error);
  EXPECT_EQ(error_message(run.result.error), "operation canceled");
  EXPECT_TRUE(run.result.new_layers.empty());
  EXPECT_FALSE(content_->has(storage::sha256_digest(img.layers[0])));
  EXPECT_TRUE(service_->downloads().wait_idle(std::chrono::seconds(10)));
}

TEST_F(distribution_test, a_stopping_daemon_cancels_pulls) {
  auto img = make_image({{"a", 1000}}, 10);
  push_raw(img, "app", "1");
  service_->shutdown(std::chrono::milliseconds(100));
  auto run = pull(ref("app:1"));
  EXPECT_EQ(error_message(run.result.error), "operation canceled");
  EXPECT_TRUE(run.result.images.empty());
}
