// Tests distribution/image_push against a real docker-registry: a pulled image pushed to
// another repository (mounted, Docker schema 2), a second tag (layers already there), and a
// local image of plain tar layers (an OCI manifest whose layers keep their digests, so the
// image ID survives the round trip).
#include "distribution_fixture.hpp"
#include "storage/image_index.hpp"
#include "storage/image_layers.hpp"

using namespace berth;
using namespace berth::distribution;
using namespace berth::distribution::testing;

namespace {

/// A push of `img` (with its layer records) as `name:tag`.
push_request push_of(const std::string& domain, const std::string& name, const std::string& tag,
                     const storage::image_record& image,
                     const std::vector<storage::layer_record>& layers) {
  push_request req;
  req.repository = storage::parse_normalized(domain + "/" + name).value();
  req.items.push_back({tag, image, layers});
  return req;
}

} // namespace

TEST_F(distribution_test, pushes_a_pulled_image_to_another_repository) {
  auto img = make_image({{"a", 100 * 1024}, {"b", 10 * 1024}}, 11);
  push_raw(img, "src", "1");
  auto pulled = pull(ref("src:1"));
  ASSERT_FALSE(pulled.result.error) << error_message(pulled.result.error);
  const auto& image = pulled.result.images[0].image;

  auto output = std::make_shared<recording_output>();
  push_context ctx{service_, content_, std::make_shared<progress_reporter>(output), {}};
  auto pushed =
      push_image(push_of(registry_.domain(), "copy", "7", image, pulled.result.new_layers), ctx);
  ASSERT_TRUE(pushed) << error_message(pushed.error());
  ASSERT_EQ(pushed->size(), 1u);
  // The same config and layer blobs in a Docker schema 2 manifest.
  auto manifest = open("copy", registry::endpoint_use::pull)->get_manifest("7").value();
  EXPECT_EQ(manifest.digest, (*pushed)[0].digest);
  EXPECT_EQ(manifest.media_type, registry::media_type::docker_manifest);
  auto parsed = registry::parse_manifest(manifest.bytes, manifest.media_type).value();
  EXPECT_EQ(parsed.config.digest, img.id());
  ASSERT_EQ(parsed.layers.size(), 2u);
  EXPECT_EQ(parsed.layers[1].digest, storage::sha256_digest(img.layers[1]));
  EXPECT_EQ(parsed.layers[1].media_type, storage::media_type_docker_layer_gzip);
  auto text = output->text();
  EXPECT_EQ(output->messages().front().status,
            "The push refers to repository [" + ref("copy") + "]");
  // The pull told the service where the blobs live: they are mounted, not uploaded.
  EXPECT_NE(text.find("Mounted from src"), std::string::npos) << text;
  EXPECT_NE(text.find("7: digest: " + manifest.digest +
                      " size: " + std::to_string(manifest.bytes.size())),
            std::string::npos)
      << text;
  EXPECT_TRUE(output->messages().back().aux);
  EXPECT_EQ((*output->messages().back().aux)["Tag"], "7");
  auto layer_id = storage::short_id(img.diff_ids[0]);
  EXPECT_EQ(output->statuses(layer_id).front(), "Preparing");

  // Again: every layer is there.
  auto again_output = std::make_shared<recording_output>();
  push_context again_ctx{service_, content_, std::make_shared<progress_reporter>(again_output), {}};
  ASSERT_TRUE(push_image(push_of(registry_.domain(), "copy", "8", image, pulled.result.new_layers),
                         again_ctx));
  EXPECT_EQ(again_output->statuses(layer_id),
            (std::vector<std::string>{"Preparing", "Layer already exists"}));
}

TEST_F(distribution_test, plain_tar_layers_go_up_as_they_are_in_an_oci_manifest) {
  // A local image as docker load leaves it: one uncompressed layer blob.
  auto tar = berth::test::make_tar({berth::test::file_entry("hello", "world\n")});
  auto diff_id = storage::sha256_digest(tar);
  auto config = nlohmann::json{{"architecture", "amd64"},
                               {"os", "linux"},
                               {"rootfs", {{"type", "layers"}, {"diff_ids", {diff_id}}}}}
                    .dump();
  ASSERT_TRUE(content_->put(tar));
  ASSERT_TRUE(content_->put(config));
  auto image = storage::image_record::from_config(config).value();
  auto layers =
      storage::unpack_image_layers(image.diff_ids, {{diff_id, storage::media_type_layer_tar}}, {},
                                   *content_, *layers_, {})
          .value();

  push_context ctx{service_, content_, std::make_shared<progress_reporter>(nullptr), {}};
  auto pushed = push_image(push_of(registry_.domain(), "plain", "1", image, layers), ctx);
  ASSERT_TRUE(pushed) << error_message(pushed.error());
  auto repo = open("plain", registry::endpoint_use::pull);
  auto manifest = repo->get_manifest("1").value();
  EXPECT_EQ(manifest.media_type, registry::media_type::oci_manifest);
  auto parsed = registry::parse_manifest(manifest.bytes, manifest.media_type).value();
  EXPECT_EQ(parsed.config.digest, image.id);
  EXPECT_EQ(parsed.layers[0].media_type, storage::media_type_layer_tar);
  EXPECT_EQ(parsed.layers[0].digest, diff_id);

  // Pulled back into an empty store: the same image ID and layer.
  content_ = std::move(*storage::content_store::open(dir_ / "content2"));
  layers_ = std::move(*storage::layer_store::open(dir_ / "overlay2-2"));
  auto back = pull(ref("plain:1"));
  ASSERT_FALSE(back.result.error) << error_message(back.result.error);
  EXPECT_EQ(back.result.images[0].image.id, image.id);
  EXPECT_EQ(back.result.new_layers[0].diff_id, diff_id);
}

TEST_F(distribution_test, pushing_to_a_registry_that_is_gone_fails_clearly) {
  auto img = make_image({{"a", 1000}}, 12);
  push_raw(img, "src", "1");
  auto pulled = pull(ref("src:1"));
  ASSERT_FALSE(pulled.result.error);
  auto domain = registry_.domain();
  registry_.kill();
  push_context ctx{service_, content_, std::make_shared<progress_reporter>(nullptr), {}};
  auto pushed = push_image(
      push_of(domain, "copy", "1", pulled.result.images[0].image, pulled.result.new_layers), ctx);
  ASSERT_FALSE(pushed);
  EXPECT_NE(error_message(pushed.error()).find("connect: connection refused"), std::string::npos)
      << error_message(pushed.error());
}
