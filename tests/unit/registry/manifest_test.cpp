// Tests for registry/manifest and registry/platform.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "registry/manifest.hpp"
#include "registry/platform.hpp"

using namespace berth::registry;

namespace {

std::string message_of(const caf::error& err) {
  return berth::error_message(err);
}

const std::string digest_a = "sha256:" + std::string(64, 'a');
const std::string digest_b = "sha256:" + std::string(64, 'b');
const std::string digest_c = "sha256:" + std::string(64, 'c');

std::string index_json() {
  return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
         digest_a +
         R"(","size":100,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
         digest_b +
         R"(","size":200,"platform":{"architecture":"amd64","os":"linux"}},
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
         digest_c +
         R"(","size":300,"platform":{"architecture":"unknown","os":"unknown"},
     "annotations":{"vnd.docker.reference.type":"attestation-manifest"}}]})";
}

} // namespace

TEST(manifest, detects_media_types_like_dockerd) {
  EXPECT_EQ(detect_manifest_media_type(index_json()).value(), media_type::oci_index);
  EXPECT_EQ(detect_manifest_media_type(R"({"schemaVersion":2,"config":{},"layers":[]})").value(),
            media_type::oci_manifest);
  EXPECT_EQ(detect_manifest_media_type(R"({"schemaVersion":2,"manifests":[]})").value(),
            media_type::oci_index);
  EXPECT_EQ(
      detect_manifest_media_type(
          R"({"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{}})")
          .value(),
      media_type::docker_manifest);
  auto schema1 = detect_manifest_media_type(R"({"schemaVersion":1,"fsLayers":[]})");
  ASSERT_FALSE(schema1);
  EXPECT_TRUE(message_of(schema1.error())
                  .starts_with("Docker Image Format v1 and Docker Image "
                               "manifest version 2, schema 1 support has "
                               "been removed."));
  EXPECT_FALSE(detect_manifest_media_type(
      R"({"mediaType":"application/vnd.oci.image.index.v1+json","layers":[]})"));
  EXPECT_FALSE(detect_manifest_media_type("[]"));
}

TEST(manifest, prefers_the_content_type_and_refuses_schema1) {
  EXPECT_EQ(manifest_media_type("application/vnd.docker.distribution.manifest.list.v2+json", "{}")
                .value(),
            media_type::docker_manifest_list);
  EXPECT_EQ(manifest_media_type("application/json; charset=utf-8", index_json()).value(),
            media_type::oci_index);
  EXPECT_FALSE(
      manifest_media_type("application/vnd.docker.distribution.manifest.v1+prettyjws", "{}"));
  EXPECT_NE(manifest_accept_header().find("application/vnd.oci.image.index.v1+json"),
            std::string::npos);
  EXPECT_EQ(manifest_accept_header().find("distribution.manifest.v1"), std::string::npos);
}

TEST(manifest, parses_an_image_manifest) {
  std::string json = R"({"schemaVersion":2,
    "mediaType":"application/vnd.docker.distribution.manifest.v2+json",
    "config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":")" +
                     digest_a + R"(","size":1469},
    "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":")" +
                     digest_b + R"(","size":2223, "urls":["https://x/y"]}]})";
  auto m = parse_manifest(json, media_type::docker_manifest);
  ASSERT_TRUE(m) << message_of(m.error());
  EXPECT_FALSE(m->index);
  EXPECT_EQ(m->config.digest, digest_a);
  EXPECT_EQ(m->config.size, 1469u);
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].digest, digest_b);
  EXPECT_EQ(m->layers[0].urls.size(), 1u);
}

TEST(manifest, refuses_invalid_manifests) {
  EXPECT_FALSE(parse_manifest("{}", media_type::oci_manifest));
  EXPECT_FALSE(parse_manifest(R"({"config":{"digest":"sha256:12","size":1},"layers":[]})",
                              media_type::oci_manifest));
  EXPECT_FALSE(
      parse_manifest(R"({"config":{"digest":")" + digest_a + R"(","size":-1},"layers":[]})",
                     media_type::oci_manifest));
  EXPECT_FALSE(parse_manifest(R"({"config":{"digest":")" + digest_a + R"(","size":1},"layers":{}})",
                              media_type::oci_manifest));
  EXPECT_FALSE(
      parse_manifest(R"({"schemaVersion":1,"config":{},"layers":[]})", media_type::oci_manifest));
  EXPECT_FALSE(parse_manifest(index_json(), media_type::docker_manifest_list)); // mediaType differs
  EXPECT_FALSE(parse_manifest(R"({"config":{},"layers":[]})", "application/x-other"));
  auto big = parse_manifest(std::string(max_manifest_size + 1, ' '), media_type::oci_manifest);
  ASSERT_FALSE(big);
  EXPECT_TRUE(message_of(big.error()).starts_with("manifest too large"));
}

TEST(platform, parses_and_normalises) {
  EXPECT_EQ(parse_platform("linux/amd64").value(), (platform{"linux", "amd64", "", ""}));
  EXPECT_EQ(parse_platform("Linux/x86_64").value(), (platform{"linux", "amd64", "", ""}));
  EXPECT_EQ(parse_platform("linux/arm64/v8").value(), (platform{"linux", "arm64", "", ""}));
  EXPECT_EQ(parse_platform("linux/aarch64").value(), (platform{"linux", "arm64", "", ""}));
  EXPECT_EQ(parse_platform("linux/arm").value(), (platform{"linux", "arm", "v7", ""}));
  EXPECT_EQ(parse_platform("linux/arm/v6").value(), (platform{"linux", "arm", "v6", ""}));
  EXPECT_EQ(parse_platform("arm64").value(), (platform{"linux", "arm64", "", ""}));
  EXPECT_EQ(parse_platform("linux").value().architecture, default_platform().architecture);
  auto bad = parse_platform("linux/amd64/v2/x");
  ASSERT_FALSE(bad);
  EXPECT_EQ(message_of(bad.error()),
            "\"linux/amd64/v2/x\": unknown operating system or architecture: invalid argument");
  EXPECT_FALSE(parse_platform("plan10/amd64"));
  EXPECT_FALSE(parse_platform("linux/"));
  EXPECT_FALSE(parse_platform(""));
  EXPECT_EQ(format_platform({"linux", "arm", "v7", ""}), "linux/arm/v7");
}

TEST(platform, selects_from_an_index) {
  auto index = parse_manifest(index_json(), media_type::oci_index);
  ASSERT_TRUE(index) << message_of(index.error());
  ASSERT_EQ(index->manifests.size(), 3u);
  EXPECT_EQ(select_manifest(*index, {"linux", "amd64", "", ""})->digest, digest_b);
  EXPECT_EQ(select_manifest(*index, *parse_platform("linux/arm64"))->digest, digest_a);
  EXPECT_EQ(select_manifest(*index, *parse_platform("linux/arm64/v8"))->digest, digest_a);
  auto none = select_manifest(*index, *parse_platform("linux/s390x"));
  ASSERT_FALSE(none);
  EXPECT_EQ(berth::error_kind(none.error()), berth::errc::not_found);
  EXPECT_EQ(message_of(none.error()),
            "no matching manifest for linux/s390x in the manifest list entries");
}

TEST(platform, prefers_the_wanted_variant_then_none) {
  manifest index;
  index.index = true;
  index.manifests = {
      {std::string(media_type::oci_manifest), digest_a, 1, platform{"linux", "arm", "v6", ""}},
      {std::string(media_type::oci_manifest), digest_b, 1, platform{"linux", "arm", "v7", ""}},
  };
  EXPECT_EQ(select_manifest(index, *parse_platform("linux/arm/v7"))->digest, digest_b);
  EXPECT_EQ(select_manifest(index, *parse_platform("linux/arm/v6"))->digest, digest_a);
  EXPECT_FALSE(select_manifest(index, *parse_platform("linux/arm/v5")));
}
