// Tests distribution/push_manifest: Docker schema 2 for gzip layers, OCI for plain tars (the
// blob's digest stays the config's diff ID), refusal of blobs registries do not take.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "distribution/push_manifest.hpp"

using namespace berth::distribution;
using json = nlohmann::json;

TEST(push_manifest, gzip_layers_give_a_docker_schema2_manifest) {
  auto m =
      build_push_manifest("sha256:c", 100,
                          {{"sha256:l1", "application/vnd.docker.image.rootfs.diff.tar.gzip", 10},
                           {"sha256:l2", "application/vnd.oci.image.layer.v1.tar+gzip", 20}})
          .value();
  EXPECT_EQ(m.media_type, "application/vnd.docker.distribution.manifest.v2+json");
  auto j = json::parse(m.bytes);
  EXPECT_EQ(j["schemaVersion"], 2);
  EXPECT_EQ(j["config"]["mediaType"], "application/vnd.docker.container.image.v1+json");
  EXPECT_EQ(j["config"]["digest"], "sha256:c");
  EXPECT_EQ(j["config"]["size"], 100);
  ASSERT_EQ(j["layers"].size(), 2u);
  EXPECT_EQ(j["layers"][1]["mediaType"], "application/vnd.docker.image.rootfs.diff.tar.gzip");
  EXPECT_EQ(j["layers"][1]["size"], 20);
  // dockerd's layout: three-space indentation, keys in the order of the spec.
  EXPECT_EQ(m.bytes.substr(0, 24), "{\n   \"schemaVersion\": 2,");
}

TEST(push_manifest, plain_tars_give_an_oci_manifest_with_tar_layers) {
  auto m =
      build_push_manifest("sha256:c", 100,
                          {{"sha256:l1", "application/vnd.oci.image.layer.v1.tar", 10},
                           {"sha256:l2", "application/vnd.docker.image.rootfs.diff.tar.gzip", 20}})
          .value();
  EXPECT_EQ(m.media_type, "application/vnd.oci.image.manifest.v1+json");
  auto j = json::parse(m.bytes);
  EXPECT_EQ(j["config"]["mediaType"], "application/vnd.oci.image.config.v1+json");
  EXPECT_EQ(j["layers"][0]["mediaType"], "application/vnd.oci.image.layer.v1.tar");
  EXPECT_EQ(j["layers"][1]["mediaType"], "application/vnd.oci.image.layer.v1.tar+gzip");
}

TEST(push_manifest, xz_layers_cannot_be_pushed) {
  auto m = build_push_manifest("sha256:c", 1,
                               {{"sha256:l1", "application/vnd.oci.image.layer.v1.tar+xz", 10}});
  ASSERT_FALSE(m);
  EXPECT_NE(berth::error_message(m.error()).find("cannot push a layer stored as"),
            std::string::npos);
}
