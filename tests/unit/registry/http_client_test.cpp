// Tests for registry/http_client against a test server on 127.0.0.1: keep-alive reuse, stale
// connections, redirects (Authorization dropped across hosts), timeouts, streamed bodies both
// ways, bounds.
#include <future>
#include <sched.h>
#include <thread>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "registry/http_client.hpp"
#include "storage/digest.hpp"
#include "test_content.hpp"
#include "test_http_server.hpp"

using namespace berth::registry;
using namespace berth::registry::testing;
using berth::error_message;

namespace {

http_request get(const std::string& u) {
  return {http_method::get, *url::parse(u)};
}

http_client_options quick() {
  http_client_options o;
  o.connect_timeout = std::chrono::seconds(2);
  o.io_timeout = std::chrono::milliseconds(300);
  return o;
}

} // namespace

TEST(http_client, reuses_kept_alive_connections) {
  test_http_server server([](const test_request& r) { return test_response{200, {}, r.target}; });
  http_client client(quick());
  for (int i = 0; i < 3; ++i) {
    auto r = client.send(get(server.base() + "/n/" + std::to_string(i)));
    ASSERT_TRUE(r) << error_message(r.error());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "/n/" + std::to_string(i));
  }
  EXPECT_EQ(server.connections(), 1);
  auto requests = server.requests();
  EXPECT_EQ(requests[0].header("Host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(requests[0].header("User-Agent"), "berth");
}

TEST(http_client, replaces_a_connection_the_server_closed) {
  test_http_server server([](const test_request&) {
    test_response r{200, {}, "ok"};
    r.hangup = true; // closes the kept-alive connection without announcing it
    return r;
  });
  http_client client(quick());
  for (int i = 0; i < 3; ++i) {
    auto r = client.send(get(server.base() + "/"));
    ASSERT_TRUE(r) << error_message(r.error());
  }
  EXPECT_EQ(server.connections(), 3);
}

TEST(http_client, follows_redirects_and_drops_credentials_across_hosts) {
  test_http_server storage([](const test_request& r) {
    return test_response{200, {}, "blob:" + r.target};
  });
  test_http_server registry([&](const test_request& r) {
    if (r.target == "/same") return test_response{307, {{"Location", "/final"}}, ""};
    if (r.target == "/final") return test_response{200, {}, "same host"};
    return test_response{302, {{"Location", storage.base() + "/blob?sig=1"}}, ""};
  });
  http_client client(quick());
  auto request = get(registry.base() + "/v2/x/blobs/sha256:1");
  request.headers.push_back({"Authorization", "Bearer secret"});
  auto r = client.send(request);
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(r->body, "blob:/blob?sig=1");
  EXPECT_EQ(r->final_url.port, storage.port());
  EXPECT_EQ(registry.requests().back().header("Authorization"), "Bearer secret");
  EXPECT_EQ(storage.requests().back().header("Authorization"), "");

  auto same = get(registry.base() + "/same");
  same.headers.push_back({"Authorization", "Bearer secret"});
  auto s = client.send(same);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->body, "same host");
  EXPECT_EQ(registry.requests().back().header("Authorization"), "Bearer secret");

  auto no_follow = get(registry.base() + "/same");
  no_follow.follow_redirects = false;
  EXPECT_EQ(client.send(no_follow)->status, 307);
}

TEST(http_client, redirected_uploads_go_on_as_go_would) {
  test_http_server server([](const test_request& r) {
    if (r.target == "/moved") return test_response{301, {{"Location", "/landing"}}, ""};
    if (r.target == "/found") return test_response{302, {{"Location", "/landing"}}, ""};
    if (r.target == "/temporary") return test_response{307, {{"Location", "/landing"}}, ""};
    return test_response{200, {}, r.method + " " + std::to_string(r.body.size())};
  });
  http_client client(quick());
  const std::string data(100000, 'u');
  auto upload = [&](http_method method, const std::string& path) {
    auto pos = std::make_shared<size_t>(0);
    http_request request{method, *url::parse(server.base() + path)};
    request.body_source = [&data, pos](char* buf, size_t n) -> caf::expected<size_t> {
      n = std::min(n, data.size() - *pos);
      std::memcpy(buf, data.data() + *pos, n);
      *pos += n;
      return n;
    };
    request.body_length = data.size();
    return client.send(request);
  };
  // The streamed body went to the first location; the next one gets a GET without a body.
  for (auto [method, path] :
       {std::pair{http_method::put, "/moved"}, std::pair{http_method::patch, "/found"}}) {
    auto r = upload(method, path);
    ASSERT_TRUE(r) << error_message(r.error());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "GET 0");
    EXPECT_EQ(server.requests().back().header("Content-Length"), "");
    EXPECT_EQ(server.requests().back().header("Transfer-Encoding"), "");
  }
  // 307 would need the body again: the redirect is the answer.
  auto temporary = upload(http_method::put, "/temporary");
  ASSERT_TRUE(temporary) << error_message(temporary.error());
  EXPECT_EQ(temporary->status, 307);
  EXPECT_EQ(server.requests().back().target, "/temporary");
  EXPECT_EQ(server.requests().back().body.size(), data.size());
}

TEST(http_client, stops_redirect_loops) {
  test_http_server server([](const test_request&) {
    return test_response{302, {{"Location", "/again"}}, ""};
  });
  http_client client(quick());
  auto r = client.send(get(server.base() + "/"));
  ASSERT_FALSE(r);
  EXPECT_NE(error_message(r.error()).find("stopped after 10 redirects"), std::string::npos);
}

TEST(http_client, a_slow_tls_setup_does_not_hold_up_other_requests) {
  test_http_server server([](const test_request&) { return test_response{200, {}, "ok"}; });
  // The TLS policy (certs.d and CA files in the daemon) blocks until the test lets it go.
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> entered;
  http_client client(quick(), [&, released](const url&) -> caf::expected<tls_settings> {
    entered.set_value();
    released.wait();
    return berth::make_error(berth::errc::invalid_argument, "no TLS here");
  });
  auto tls = std::async(std::launch::async, [&] {
    return client.send(get("https://127.0.0.1:" + std::to_string(server.port()) + "/"));
  });
  entered.get_future().wait();
  // Plain requests on the same client (the idle pool taken from and given back) go on.
  auto plain = std::async(std::launch::async, [&] {
    for (int i = 0; i < 3; ++i)
      if (auto r = client.send(get(server.base() + "/")); !r || r->status != 200) return false;
    return true;
  });
  bool finished = plain.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  release.set_value();
  EXPECT_TRUE(finished);
  EXPECT_TRUE(plain.get());
  auto refused = tls.get();
  ASSERT_FALSE(refused);
  EXPECT_NE(error_message(refused.error()).find("no TLS here"), std::string::npos);
}

TEST(http_client, times_out_on_a_silent_server) {
  test_http_server server([](const test_request&) {
    test_response r;
    r.stall = true;
    return r;
  });
  http_client client(quick());
  auto started = std::chrono::steady_clock::now();
  auto r = client.send(get(server.base() + "/v2/"));
  ASSERT_FALSE(r);
  EXPECT_EQ(berth::error_kind(r.error()), berth::errc::timeout);
  EXPECT_EQ(error_message(r.error()), "Get \"" + server.base() + "/v2/\": i/o timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  server.stop();
}

TEST(http_client, reports_a_refused_connection_like_go) {
  uint16_t port;
  {
    test_http_server gone([](const test_request&) { return test_response{}; });
    port = gone.port();
  }
  http_client client(quick());
  auto r = client.send(get("http://127.0.0.1:" + std::to_string(port) + "/v2/"));
  ASSERT_FALSE(r);
  EXPECT_EQ(berth::error_kind(r.error()), berth::errc::unavailable);
  EXPECT_EQ(error_message(r.error()), "Get \"http://127.0.0.1:" + std::to_string(port) +
                                          "/v2/\": dial tcp 127.0.0.1:" + std::to_string(port) +
                                          ": connect: connection refused");
}

TEST(http_client, a_failed_name_lookup_is_an_error_not_a_crash) {
  // In a network namespace of its own (loopback down, no route) the lookup fails at once and
  // nothing leaves the machine. The https URL matters: the failure came before any stream.
  std::optional<caf::expected<http_response>> result;
  std::thread isolated([&] {
    if (::unshare(CLONE_NEWNET) != 0) return;
    http_client client(quick());
    result = client.send(get("https://registry.invalid/v2/"));
  });
  isolated.join();
  ASSERT_TRUE(result) << "unshare(CLONE_NEWNET) failed";
  ASSERT_FALSE(*result);
  EXPECT_NE(error_message(result->error()).find("dial tcp: lookup registry.invalid"),
            std::string::npos)
      << error_message(result->error());
}

TEST(http_client, streams_bodies_both_ways) {
  test_http_server server([](const test_request& r) {
    if (r.method == "PUT")
      return test_response{201,
                           {{"X-Digest", berth::storage::sha256_digest(r.body)},
                            {"X-Chunked", r.header("Transfer-Encoding")}},
                           ""};
    return test_response{200, {}, make_blob(5 * 1024 * 1024, 9)};
  });
  http_client_options options = quick();
  options.max_buffered_body = 1024 * 1024;
  http_client client(options);

  // Download: 5 MiB through the handler with a 1 MiB buffer bound.
  berth::storage::sha256_hasher hasher;
  size_t received = 0;
  int heads = 0;
  response_handler handler{[&](const http_response& head) {
                             ++heads;
                             EXPECT_EQ(head.status, 200);
                             return caf::error{};
                           },
                           [&](const char* data, size_t n) {
                             hasher.update(data, n);
                             received += n;
                             return caf::error{};
                           }};
  auto r = client.send(get(server.base() + "/blob"), handler);
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(heads, 1);
  EXPECT_TRUE(r->body.empty());
  EXPECT_EQ(received, 5u * 1024 * 1024);
  EXPECT_EQ(hasher.finish(), berth::storage::sha256_digest(make_blob(5 * 1024 * 1024, 9)));

  // Without a handler the same body is over the bound.
  auto buffered = client.send(get(server.base() + "/blob"));
  ASSERT_FALSE(buffered);
  EXPECT_NE(error_message(buffered.error()).find("response body larger than"), std::string::npos);

  // Upload: streamed with a length, then chunked without one.
  auto data = make_blob(3 * 1024 * 1024 + 5, 10);
  for (bool with_length : {true, false}) {
    size_t pos = 0;
    http_request put{http_method::put, *url::parse(server.base() + "/upload")};
    put.body_source = [&](char* buf, size_t n) -> caf::expected<size_t> {
      n = std::min(n, data.size() - pos);
      std::memcpy(buf, data.data() + pos, n);
      pos += n;
      return n;
    };
    if (with_length) put.body_length = data.size();
    auto u = client.send(put);
    ASSERT_TRUE(u) << error_message(u.error());
    EXPECT_EQ(u->status, 201);
    EXPECT_EQ(u->header("X-Digest").value_or(""), berth::storage::sha256_digest(data));
    EXPECT_EQ(u->header("X-Chunked").value_or(""), with_length ? "" : "chunked");
  }

  // A handler error stops the transfer.
  response_handler refuse{
      {}, [](const char*, size_t) { return berth::make_error(berth::errc::system, "disk full"); }};
  auto stopped = client.send(get(server.base() + "/blob"), refuse);
  ASSERT_FALSE(stopped);
  EXPECT_EQ(error_message(stopped.error()), "disk full");
}

TEST(http_client, a_cut_body_is_an_error) {
  test_http_server server([](const test_request&) {
    test_response r{200, {}, std::string(100000, 'x')};
    r.cut_after = 5000;
    return r;
  });
  http_client client(quick());
  auto r = client.send(get(server.base() + "/"));
  ASSERT_FALSE(r);
  EXPECT_TRUE(error_message(r.error()).ends_with("unexpected EOF")) << error_message(r.error());
}

TEST(http_client, error_bodies_are_buffered_even_with_a_handler) {
  test_http_server server([](const test_request&) {
    return test_response{
        404, {}, R"({"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]})"};
  });
  http_client client(quick());
  bool called = false;
  response_handler handler{[&](const http_response&) {
                             called = true;
                             return caf::error{};
                           },
                           {}};
  auto r = client.send(get(server.base() + "/"), handler);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_FALSE(called);
  EXPECT_NE(r->body.find("BLOB_UNKNOWN"), std::string::npos);
}
