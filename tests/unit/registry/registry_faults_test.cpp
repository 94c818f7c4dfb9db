// The repository client against a fake registry (test server) for faults a real registry does
// not produce: oversized manifests, a manifest that is not what its digest says, transient
// 5xx/429 answers, servers that ignore Range, schema 1.
#include <atomic>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "registry/repository.hpp"
#include "storage/digest.hpp"
#include "test_content.hpp"
#include "test_http_server.hpp"

using namespace berth::registry;
using namespace berth::registry::testing;
using berth::error_message;
using berth::storage::sha256_digest;

namespace {

std::unique_ptr<repository> open_fake(http_client& http, const test_http_server& server,
                                      repository_options options = quick_retries()) {
  registry_endpoint endpoint{*url::parse(server.base() + "/")};
  auto repo =
      repository::open_endpoint(http, endpoint, "fake/repo", {}, endpoint_use::pull, options);
  EXPECT_TRUE(repo) << (repo ? "" : error_message(repo.error()));
  return repo ? std::move(*repo) : nullptr;
}

const std::string small_manifest = schema2_manifest("{}", {"layer"});

} // namespace

TEST(registry_faults, rejects_a_manifest_over_the_size_limit) {
  std::string huge =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","pad":")" +
      std::string(max_manifest_size, 'x') + "\"}";
  test_http_server server([&](const test_request& r) {
    if (r.target == "/v2/") return test_response{200, {}, "{}"};
    return test_response{200, {{"Content-Type", std::string(media_type::oci_manifest)}}, huge};
  });
  http_client http;
  auto repo = open_fake(http, server);
  auto got = repo->get_manifest("latest");
  ASSERT_FALSE(got);
  EXPECT_EQ(error_message(got.error()),
            "manifest too large: " + std::to_string(huge.size()) + " bytes (the limit is 4194304)");
  EXPECT_FALSE(is_transient(got.error()));
}

TEST(registry_faults, checks_a_manifest_fetched_by_digest) {
  test_http_server server([&](const test_request& r) {
    if (r.target == "/v2/") return test_response{200, {}, "{}"};
    return test_response{
        200, {{"Content-Type", std::string(media_type::docker_manifest)}}, small_manifest};
  });
  http_client http;
  auto repo = open_fake(http, server);
  auto wanted = sha256_digest("another manifest");
  auto got = repo->get_manifest(wanted);
  ASSERT_FALSE(got);
  EXPECT_EQ(error_message(got.error()), "manifest verification failed for digest " + wanted);
  auto by_tag = repo->get_manifest("latest");
  ASSERT_TRUE(by_tag);
  EXPECT_EQ(by_tag->digest, sha256_digest(small_manifest));
  auto accept = server.requests().back().header("Accept");
  EXPECT_NE(accept.find("application/vnd.oci.image.index.v1+json"), std::string::npos);
  EXPECT_NE(accept.find("application/vnd.docker.distribution.manifest.v2+json"), std::string::npos);
}

TEST(registry_faults, refuses_schema1) {
  test_http_server server([&](const test_request& r) {
    if (r.target == "/v2/") return test_response{200, {}, "{}"};
    return test_response{
        200, {{"Content-Type", std::string(media_type::docker_schema1_signed)}}, "{}"};
  });
  http_client http;
  auto got = open_fake(http, server)->get_manifest("old");
  ASSERT_FALSE(got);
  EXPECT_TRUE(error_message(got.error()).starts_with("Docker Image Format v1"));
}

TEST(registry_faults, retries_transient_statuses_with_backoff) {
  std::atomic<int> calls{0};
  std::atomic<bool> always_fail{false};
  test_http_server server([&](const test_request& r) {
    if (r.target == "/v2/") return test_response{200, {}, "{}"};
    int n = ++calls;
    if (always_fail) return test_response{503, {}, "busy"};
    if (n == 1) return test_response{503, {}, "busy"};
    if (n == 2)
      return test_response{
          429, {}, R"({"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]})"};
    return test_response{
        200, {{"Content-Type", std::string(media_type::docker_manifest)}}, small_manifest};
  });
  http_client http;
  auto got = open_fake(http, server)->get_manifest("latest");
  ASSERT_TRUE(got) << error_message(got.error());
  EXPECT_EQ(calls.load(), 3);

  calls = 0;
  always_fail = true; // now always failing: bounded
  auto failed = open_fake(http, server, quick_retries(2))->get_manifest("latest");
  ASSERT_FALSE(failed);
  EXPECT_EQ(error_message(failed.error()), "received unexpected HTTP status: 503 X");
  EXPECT_EQ(calls.load(), 2);
}

TEST(registry_faults, starts_over_when_a_server_ignores_range) {
  auto blob = make_blob(1024 * 1024, 11);
  std::atomic<int> calls{0};
  test_http_server server([&](const test_request& r) {
    if (r.target == "/v2/") return test_response{200, {}, "{}"};
    test_response resp{200, {}, blob};
    if (++calls == 1) resp.cut_after = 300 * 1024; // first attempt dies after 300 KiB
    return resp;                                   // later ones ignore Range: 200, whole blob
  });
  http_client http;
  auto repo = open_fake(http, server);
  string_blob_sink sink(2 * 1024 * 1024);
  std::vector<int> retried;
  blob_fetch_options options;
  options.size = blob.size();
  options.on_retry = [&](int attempt, auto, const auto&) { retried.push_back(attempt); };
  auto got = repo->fetch_blob(sha256_digest(blob), sink, options);
  ASSERT_TRUE(got) << error_message(got.error());
  EXPECT_TRUE(got->restarted);
  EXPECT_EQ(got->resumed_from, 0u);
  EXPECT_EQ(got->attempts, 2);
  EXPECT_EQ(retried, std::vector<int>{1});
  EXPECT_TRUE(sink.data() == blob);
  auto requests = server.requests();
  auto range = requests.back().header("Range");
  ASSERT_TRUE(range.starts_with("bytes=")) << range;
  auto from = std::stoul(range.substr(6));
  EXPECT_GT(from, 0u);
  EXPECT_LE(from, 300u * 1024);
}

TEST(registry_faults, refuses_a_blob_longer_than_its_descriptor) {
  test_http_server server([&](const test_request& r) {
    if (r.target == "/v2/") return test_response{200, {}, "{}"};
    return test_response{200, {}, std::string(2000, 'z')};
  });
  http_client http;
  string_blob_sink sink(1 << 20);
  blob_fetch_options options;
  options.size = 1000;
  auto got =
      open_fake(http, server)->fetch_blob(sha256_digest(std::string(1000, 'z')), sink, options);
  ASSERT_FALSE(got);
  EXPECT_EQ(error_message(got.error()), "blob larger than its descriptor's 1000 bytes");
}

TEST(registry_faults, a_stop_request_ends_retries) {
  test_http_server server([&](const test_request& r) {
    if (r.target == "/v2/") return test_response{200, {}, "{}"};
    return test_response{503, {}, ""};
  });
  http_client http;
  repository_options slow = quick_retries(10);
  slow.retry.initial_backoff = std::chrono::seconds(30);
  auto repo = open_fake(http, server, slow);
  std::stop_source stop;
  string_blob_sink sink(1024);
  blob_fetch_options options;
  options.on_retry = [&](int, auto, const auto&) { stop.request_stop(); };
  auto started = std::chrono::steady_clock::now();
  auto got = repo->fetch_blob(sha256_digest("x"), sink, options, stop.get_token());
  ASSERT_FALSE(got);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}
