// The registry client through an HTTP proxy written in the test (test_proxy.hpp) on 127.0.0.1:
// CONNECT tunnels to a TLS docker-registry known only by a made-up name that the proxy alone
// resolves, absolute-form requests for plain http, Proxy-Authorization, a proxy that speaks TLS
// itself (tunnels with TLS inside TLS, absolute form inside TLS), and the errors of a proxy that is
// down, refuses, or stalls.
#include <chrono>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "registry/http_client.hpp"
#include "registry/proxy_config.hpp"
#include "registry/repository.hpp"
#include "storage/digest.hpp"
#include "test_content.hpp"
#include "test_http_server.hpp"
#include "test_proxy.hpp"
#include "test_registry.hpp"

using namespace berth::registry;
using namespace berth::registry::testing;
using berth::error_message;

namespace {

/// A name nothing resolves: only the test proxy knows it means 127.0.0.1.
constexpr const char* registry_name = "registry.berth.test";

bool contains(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

std::shared_ptr<const proxy_config> via(const std::string& proxy, const std::string& no = {}) {
  proxy_settings s{{proxy, "http-proxy"}, {proxy, "https-proxy"}, {no, "no-proxy"}};
  return std::make_shared<const proxy_config>(proxy_config::make(s).value());
}

http_client_options options_via(const std::string& proxy) {
  http_client_options o;
  o.connect_timeout = std::chrono::seconds(2);
  o.io_timeout = std::chrono::seconds(10);
  o.proxy = via(proxy);
  return o;
}

/// A port on 127.0.0.1 that nothing listens on (bound, then released).
uint16_t closed_port() {
  test_http_server s([](const test_request&) { return test_response{}; });
  auto port = s.port();
  s.stop();
  return port;
}

http_request get(const std::string& u) {
  return {http_method::get, *url::parse(u)};
}

/// Pushes a one-layer image as `ref` through `http` and pulls it back; returns the layer.
void push_and_pull(http_client& http, const registry_config& config, const std::string& ref_text) {
  auto ref = berth::storage::parse_normalized(ref_text).value();
  auto push = repository::open(http, config, ref, {}, endpoint_use::push, quick_retries());
  ASSERT_TRUE(push) << error_message(push.error());
  auto layer = make_blob(200 * 1024 + 3, 7);
  auto config_blob = std::string(R"({"architecture":"amd64","os":"linux"})");
  auto manifest = push_image(**push, "v1", config_blob, {layer});

  auto pull = repository::open(http, config, ref, {}, endpoint_use::pull, quick_retries());
  ASSERT_TRUE(pull) << error_message(pull.error());
  auto fetched = (*pull)->get_manifest("v1");
  ASSERT_TRUE(fetched) << error_message(fetched.error());
  EXPECT_EQ(fetched->bytes, manifest);
  string_blob_sink sink(1 << 20);
  auto got = (*pull)->fetch_blob(berth::storage::sha256_digest(layer), sink);
  ASSERT_TRUE(got) << error_message(got.error());
  EXPECT_EQ(sink.data(), layer);
}

} // namespace

TEST(proxy_client, plain_http_goes_to_the_proxy_in_absolute_form) {
  test_http_server origin([](const test_request& r) { return test_response{200, {}, r.target}; });
  test_proxy proxy({.names = {"origin.berth.test"}});
  http_client client(options_via(proxy.url()));
  auto target = "http://origin.berth.test:" + std::to_string(origin.port()) + "/v2/x?q=1";
  for (int i = 0; i < 2; ++i) {
    auto r = client.send(get(target));
    ASSERT_TRUE(r) << error_message(r.error());
    EXPECT_EQ(r->status, 200);
    // The test proxy forwards the head as it came: the origin echoes the absolute-form target.
    EXPECT_EQ(r->body, target);
  }
  auto seen = proxy.requests();
  ASSERT_EQ(seen.size(), 1u) << "one kept-alive connection to the proxy";
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].target, target);
  EXPECT_EQ(seen[0].header("Host"), "origin.berth.test:" + std::to_string(origin.port()));
  EXPECT_EQ(seen[0].header("Proxy-Authorization"), "");
}

TEST(proxy_client, pushes_and_pulls_through_a_connect_tunnel_to_a_tls_registry) {
  temp_dir dir;
  test_pki pki(dir, std::string("DNS:") + registry_name);
  test_registry reg(dir, {},
                    "  tls:\n    certificate: " + pki.server_cert + "\n    key: " + pki.server_key +
                        "\n");
  std::string domain = std::string(registry_name) + ":" + std::to_string(reg.port());
  auto certs = dir / "certs.d";
  write_file(certs + "/" + domain + "/ca.crt", read_file(pki.ca_cert));
  auto config = make_registry_config({}, {}, certs).value();
  test_proxy proxy({.names = {registry_name}});
  http_client http(options_via(proxy.url()), make_tls_policy(config));

  push_and_pull(http, config, domain + "/team/app");

  auto seen = proxy.requests();
  ASSERT_FALSE(seen.empty());
  for (const auto& r : seen) {
    EXPECT_EQ(r.method, "CONNECT");
    EXPECT_EQ(r.target, domain);
    EXPECT_EQ(r.header("Host"), domain);
  }
}

TEST(proxy_client, pulls_from_an_insecure_plain_registry_through_the_proxy) {
  temp_dir dir;
  test_registry reg(dir);
  std::string domain = std::string(registry_name) + ":" + std::to_string(reg.port());
  // Insecure: https first (the tunnel works, the handshake does not), then plain http.
  auto config = make_registry_config({domain}, {}, "").value();
  test_proxy proxy({.names = {registry_name}});
  http_client http(options_via(proxy.url()), make_tls_policy(config));

  push_and_pull(http, config, domain + "/plain/app");

  bool absolute = false;
  for (const auto& r : proxy.requests())
    absolute = absolute || r.target.starts_with("http://" + domain + "/v2/");
  EXPECT_TRUE(absolute) << "the proxy forwarded http requests for " << domain;
}

TEST(proxy_client, sends_proxy_authorization_from_the_url) {
  test_http_server origin([](const test_request&) { return test_response{200, {}, "ok"}; });
  test_proxy proxy({.names = {"origin.berth.test"},
                    .required_authorization = "Basic YWxpY2U6czNjcmV0"}); // alice:s3cret
  auto target = "http://origin.berth.test:" + std::to_string(origin.port()) + "/";
  {
    http_client client(
        options_via("http://alice:s3cret@127.0.0.1:" + std::to_string(proxy.port())));
    auto r = client.send(get(target));
    ASSERT_TRUE(r) << error_message(r.error());
    EXPECT_EQ(r->status, 200);
  }
  http_client anonymous(options_via(proxy.url()));
  auto refused = anonymous.send(get(target));
  ASSERT_TRUE(refused) << error_message(refused.error());
  EXPECT_EQ(refused->status, 407);
  auto tunnel = anonymous.send(get("https://origin.berth.test/v2/"));
  ASSERT_FALSE(tunnel);
  EXPECT_TRUE(contains(error_message(tunnel.error()),
                       "proxyconnect tcp: proxy 127.0.0.1:" + std::to_string(proxy.port()) +
                           " refused CONNECT origin.berth.test:443: 407"))
      << error_message(tunnel.error());
}

TEST(proxy_client, a_proxy_that_is_down_fails_at_once_naming_it) {
  auto port = closed_port();
  http_client client(options_via("http://127.0.0.1:" + std::to_string(port)));
  auto start = std::chrono::steady_clock::now();
  auto r = client.send(get("https://registry-1.docker.io/v2/"));
  ASSERT_FALSE(r);
  EXPECT_EQ(error_message(r.error()),
            "Get \"https://registry-1.docker.io/v2/\": proxyconnect tcp: dial tcp 127.0.0.1:" +
                std::to_string(port) + ": connect: connection refused");
  auto plain = client.send(get("http://registry.example/v2/"));
  ASSERT_FALSE(plain);
  EXPECT_TRUE(contains(error_message(plain.error()), "proxyconnect tcp: dial tcp 127.0.0.1:"))
      << error_message(plain.error());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(proxy_client, a_refused_or_stalled_connect_is_a_clear_bounded_error) {
  test_proxy refusing({.refuse_connect_status = 403});
  http_client client(options_via(refusing.url()));
  auto r = client.send(get(std::string("https://") + registry_name + ":5000/v2/"));
  ASSERT_FALSE(r);
  EXPECT_EQ(error_message(r.error()), std::string("Get \"https://") + registry_name +
                                          ":5000/v2/\": proxyconnect tcp: proxy 127.0.0.1:" +
                                          std::to_string(refusing.port()) + " refused CONNECT " +
                                          registry_name + ":5000: 403 Forbidden");

  test_http_server stalling([](const test_request&) { return test_response{.stall = true}; });
  auto o = options_via(stalling.base());
  o.connect_timeout = std::chrono::milliseconds(300);
  http_client slow(o);
  auto start = std::chrono::steady_clock::now();
  auto stalled = slow.send(get("https://registry.example/v2/"));
  ASSERT_FALSE(stalled);
  EXPECT_EQ(berth::error_kind(stalled.error()), berth::errc::timeout);
  EXPECT_TRUE(contains(error_message(stalled.error()),
                       "proxyconnect tcp: proxy 127.0.0.1:" + std::to_string(stalling.port()) +
                           ": CONNECT registry.example:443: i/o timeout"))
      << error_message(stalled.error());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  stalling.stop();
}

TEST(proxy_client, tunnels_tls_inside_tls_to_an_https_proxy) {
  temp_dir dir;
  test_pki pki(dir, std::string("DNS:") + registry_name + ",IP:127.0.0.1");
  std::string tls =
      "  tls:\n    certificate: " + pki.server_cert + "\n    key: " + pki.server_key + "\n";
  test_registry reg(dir, {}, tls);
  test_proxy proxy({.names = {registry_name, "origin.berth.test"},
                    .tls_cert = pki.server_cert,
                    .tls_key = pki.server_key});
  // Nothing insecure: the proxy's certificate and the registry's are both verified.
  registry_config config;
  tls_policy trust_test_ca = [&](const url&) -> caf::expected<tls_settings> {
    tls_settings s;
    s.system_roots = false;
    s.ca_files = {pki.ca_cert};
    return s;
  };
  http_client http(options_via(proxy.url()), trust_test_ca);
  std::string domain = std::string(registry_name) + ":" + std::to_string(reg.port());

  push_and_pull(http, config, domain + "/nested/app");

  auto seen = proxy.requests();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen[0].method, "CONNECT");
  EXPECT_EQ(seen[0].target, domain);

  // Plain http through the TLS proxy: absolute form inside the proxy's TLS.
  test_http_server origin([](const test_request&) { return test_response{200, {}, "plain"}; });
  auto plain = http.send(get("http://origin.berth.test:" + std::to_string(origin.port()) + "/"));
  ASSERT_TRUE(plain) << error_message(plain.error());
  EXPECT_EQ(plain->body, "plain") << plain->status;
  EXPECT_EQ(proxy.requests().back().target,
            "http://origin.berth.test:" + std::to_string(origin.port()) + "/");

  // A proxy certificate that does not verify is the proxy's error.
  http_client untrusting(options_via(proxy.url()));
  auto r = untrusting.send(get("https://" + domain + "/v2/"));
  ASSERT_FALSE(r);
  EXPECT_TRUE(contains(error_message(r.error()), "proxyconnect tcp: tls: failed to verify"))
      << error_message(r.error());
}
