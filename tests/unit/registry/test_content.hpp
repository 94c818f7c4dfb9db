// Content the registry tests push: deterministic pseudo-random blobs, Docker schema 2 manifests
// and OCI indexes, and the helpers that push them through the client under test.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/byte_source.hpp"
#include "base/error.hpp"
#include "registry/repository.hpp"
#include "storage/digest.hpp"

namespace berth::registry::testing {

/// `size` deterministic bytes that do not compress (so transfers take real time).
inline std::string make_blob(size_t size, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string out(size, '\0');
  for (size_t i = 0; i < size; i += 4) {
    uint32_t v = gen();
    for (size_t j = 0; j < 4 && i + j < size; ++j)
      out[i + j] = static_cast<char>(v >> (8 * j));
  }
  return out;
}

/// An opener over an in-memory blob for push_blob.
inline blob_opener opener_of(const std::string& data) {
  return [&data]() -> caf::expected<std::unique_ptr<byte_source>> {
    return std::unique_ptr<byte_source>(std::make_unique<string_source>(data));
  };
}

/// A Docker schema 2 manifest for `config` and `layers`.
inline std::string schema2_manifest(const std::string& config,
                                    const std::vector<std::string>& layers) {
  std::string out =
      R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":)" +
      std::to_string(config.size()) + R"(,"digest":")" + storage::sha256_digest(config) +
      R"("},"layers":[)";
  for (size_t i = 0; i < layers.size(); ++i) {
    if (i) out += ",";
    out += R"({"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":)" +
           std::to_string(layers[i].size()) + R"(,"digest":")" + storage::sha256_digest(layers[i]) +
           R"("})";
  }
  return out + "]}";
}

/// An OCI index of (manifest bytes, "os/arch[/variant]") entries.
inline std::string oci_index(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)";
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& [bytes, platform] = entries[i];
    auto slash = platform.find('/');
    auto rest = platform.substr(slash + 1);
    auto slash2 = rest.find('/');
    std::string p = R"("os":")" + platform.substr(0, slash) + R"(","architecture":")" +
                    rest.substr(0, slash2) + "\"";
    if (slash2 != std::string::npos) p += R"(,"variant":")" + rest.substr(slash2 + 1) + "\"";
    if (i) out += ",";
    out += R"({"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":)" +
           std::to_string(bytes.size()) + R"(,"digest":")" + storage::sha256_digest(bytes) +
           R"(","platform":{)" + p + "}}";
  }
  return out + "]}";
}

/// Pushes the blobs and the manifest of a one-layer image; returns the manifest's bytes.
inline std::string push_image(repository& repo, const std::string& tag, const std::string& config,
                              const std::vector<std::string>& layers) {
  for (const auto* blob : {&config}) {
    auto pushed = repo.push_blob(storage::sha256_digest(*blob), blob->size(), opener_of(*blob));
    EXPECT_TRUE(pushed) << (pushed ? "" : error_message(pushed.error()));
  }
  for (const auto& layer : layers) {
    auto pushed = repo.push_blob(storage::sha256_digest(layer), layer.size(), opener_of(layer));
    EXPECT_TRUE(pushed) << (pushed ? "" : error_message(pushed.error()));
  }
  auto manifest = schema2_manifest(config, layers);
  auto digest = repo.put_manifest(tag, media_type::docker_manifest, manifest);
  EXPECT_TRUE(digest) << (digest ? "" : error_message(digest.error()));
  return manifest;
}

/// A retry policy short enough for tests.
inline repository_options quick_retries(int attempts = 3) {
  repository_options o;
  o.retry.max_attempts = attempts;
  o.retry.initial_backoff = std::chrono::milliseconds(20);
  o.retry.max_backoff = std::chrono::milliseconds(100);
  return o;
}

} // namespace berth::registry::testing
