// The registry's blocking HTTP/1.1 client: pooled connections, one exchange at a time per
// connection, redirects.
#include "registry/http_client.hpp"

#include <array>
#include <limits>
#include <map>
#include <mutex>
#include <vector>

#include "base/ascii.hpp"
#include "base/error.hpp"
#include "registry/http_connection.hpp"
#include "registry/proxy_config.hpp"

namespace berth::registry {

namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using detail::http_connection;

constexpr size_t piece_size = 64 * 1024;

http::verb to_verb(http_method m) {
  switch (m) {
  case http_method::get:
    return http::verb::get;
  case http_method::head:
    return http::verb::head;
  case http_method::put:
    return http::verb::put;
  case http_method::post:
    return http::verb::post;
  case http_method::patch:
    return http::verb::patch;
  case http_method::delete_:
    return http::verb::delete_;
  }
  return http::verb::get;
}

/// Go's http.Client error prefix: `Get "https://host/v2/": `.
std::string request_prefix(http_method m, const url& target) {
  auto method = to_string(m);
  return std::string(method.substr(0, 1)) + ascii_lower(method.substr(1)) + " \"" +
         target.string() + "\": ";
}

/// Errors where a kept-alive connection turned out to be closed by the server meanwhile.
bool is_stale_connection_error(const beast::error_code& ec) {
  return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset ||
         ec == boost::asio::error::broken_pipe || ec == http::error::end_of_stream ||
         ec == boost::asio::ssl::error::stream_truncated;
}

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/// A transport failure of a request, in Go's words: `Get "url": i/o timeout`.
caf::error transport_error(http_method method, const url& target, const beast::error_code& ec) {
  auto kind = ec == beast::error::timeout ? errc::timeout : errc::unavailable;
  return make_error(kind, request_prefix(method, target) + detail::describe_transport_error(ec));
}

/// What one exchange on one connection needs beyond the original request.
struct exchange_spec {
  http_method method;
  url target;
  bool send_body = true;
  bool drop_authorization = false;
};

/// The outcome of one exchange: a response, or an error that may deserve a fresh connection.
struct exchange_result {
  caf::expected<http_response> response = caf::error{};
  bool retry_on_fresh_connection = false;
};

} // namespace

struct http_client::impl {
  http_client_options options;
  tls_policy policy;

  struct tls_entry {
    std::shared_ptr<boost::asio::ssl::context> context;
    bool verify = true;
  };

  std::mutex idle_mutex; ///< guards `idle`
  std::map<std::string, std::vector<std::unique_ptr<http_connection>>> idle;
  /// Guards `tls_contexts`. Held while a context is built (certs.d and CA files are read), so
  /// each authority's is built once; the idle pool does not wait for it.
  std::mutex tls_mutex;
  std::map<std::string, tls_entry> tls_contexts;

  caf::expected<tls_entry> tls_for(const url& target) {
    std::lock_guard guard{tls_mutex};
    auto key = target.authority();
    if (auto it = tls_contexts.find(key); it != tls_contexts.end()) return it->second;
    tls_settings settings;
    if (policy) {
      auto decided = policy(target);
      if (!decided) return std::move(decided.error());
      settings = std::move(*decided);
    }
    auto context = detail::make_tls_context(settings);
    if (!context) return std::move(context.error());
    tls_entry entry{std::move(*context), settings.verify};
    tls_contexts.emplace(key, entry);
    return entry;
  }

  /// An idle pooled connection that still looks open, if any.
  std::unique_ptr<http_connection> take_idle(const url& target) {
    std::lock_guard guard{idle_mutex};
    auto it = idle.find(target.endpoint_key());
    if (it == idle.end()) return nullptr;
    auto now = std::chrono::steady_clock::now();
    while (!it->second.empty()) {
      auto conn = std::move(it->second.back());
      it->second.pop_back();
      if (now - conn->idle_since < options.idle_timeout && !conn->looks_closed()) return conn;
    }
    return nullptr;
  }

  void release(const url& target, std::unique_ptr<http_connection> conn) {
    conn->idle_since = std::chrono::steady_clock::now();
    std::lock_guard guard{idle_mutex};
    auto& list = idle[target.endpoint_key()];
    if (list.size() < options.max_idle_per_endpoint) list.push_back(std::move(conn));
  }

  /// The proxy hop to `target`, if it goes through a proxy (TLS to an https proxy follows the
  /// TLS policy of the proxy's own host:port).
  caf::expected<std::optional<detail::proxy_hop>> proxy_hop_for(const url& target) {
    const proxy_url* proxy = options.proxy ? options.proxy->proxy_for(target) : nullptr;
    if (!proxy) return std::optional<detail::proxy_hop>{};
    detail::proxy_hop hop{*proxy, nullptr, true, proxy_authorization(*proxy)};
    if (proxy->scheme == "https") {
      url proxy_target{"https", proxy->host, proxy->port, "/"};
      auto entry = tls_for(proxy_target);
      if (!entry) return std::move(entry.error());
      hop.tls = entry->context;
      hop.verify = entry->verify;
    }
    return std::optional<detail::proxy_hop>{std::move(hop)};
  }

  caf::expected<std::unique_ptr<http_connection>> connect(const url& target) {
    std::shared_ptr<boost::asio::ssl::context> context;
    bool verify = true;
    if (target.tls()) {
      auto entry = tls_for(target);
      if (!entry) return std::move(entry.error());
      context = entry->context;
      verify = entry->verify;
    }
    auto hop = proxy_hop_for(target);
    if (!hop) return std::move(hop.error());
    return http_connection::open(target, *hop ? &**hop : nullptr, std::move(context), verify,
                                 options.connect_timeout, options.io_timeout);
  }

  /// The Beast request of `spec` with its headers and body framing.
  http::request<http::buffer_body> make_head(const http_request& request, const exchange_spec& spec,
                                             const http_connection& conn) const {
    // Through a proxy, plain http requests name the whole URL (absolute form).
    http::request<http::buffer_body> req{
        to_verb(spec.method), conn.forwards_to_proxy() ? spec.target.string() : spec.target.target,
        11};
    req.set(http::field::host, spec.target.authority());
    if (conn.forwards_to_proxy() && !conn.proxy_authorization().empty())
      req.set(http::field::proxy_authorization, conn.proxy_authorization());
    req.set(http::field::user_agent, options.user_agent);
    for (const auto& h : request.headers) {
      if (spec.drop_authorization && same_header_name(h.name, "Authorization")) continue;
      req.insert(h.name, h.value);
    }
    bool has_body = spec.send_body && (request.body_source || !request.body.empty());
    if (!has_body) {
      if (spec.method == http_method::put || spec.method == http_method::post ||
          spec.method == http_method::patch)
        req.content_length(0);
    } else if (!request.body_source) {
      req.content_length(request.body.size());
    } else if (request.body_length) {
      req.content_length(*request.body_length);
    } else {
      req.chunked(true);
    }
    return req;
  }

  /// Writes the request head and body. Returns the transport error (or a body source error).
  caf::error write_request(http_connection& conn, const http_request& request,
                           const exchange_spec& spec, bool& stale, std::stop_token stop) {
    auto req = make_head(request, spec, conn);
    bool streamed = spec.send_body && request.body_source;
    req.body().data = nullptr;
    req.body().size = 0;
    req.body().more = streamed;
    if (spec.send_body && !streamed && !request.body.empty()) {
      req.body().data = const_cast<char*>(request.body.data());
      req.body().size = request.body.size();
    }
    detail::request_serializer sr{req};
    auto fail = [&](const beast::error_code& ec) {
      stale = is_stale_connection_error(ec);
      return transport_error(spec.method, spec.target, ec);
    };
    if (auto ec = conn.write_header(sr)) return fail(ec);
    if (!streamed) {
      if (auto ec = conn.write_some(sr)) return fail(ec);
      return {};
    }
    stale = false; // a streamed body cannot be replayed anyway
    std::vector<char> buf(piece_size);
    uint64_t sent = 0;
    for (;;) {
      if (stop.stop_requested())
        return make_error(errc::unavailable,
                          request_prefix(spec.method, spec.target) + "operation canceled");
      auto n = request.body_source(buf.data(), buf.size());
      if (!n) return std::move(n.error());
      sent += *n;
      if (request.body_length && sent > *request.body_length)
        return make_error(errc::invalid_argument, request_prefix(spec.method, spec.target) +
                                                      "request body longer than its length");
      if (*n == 0 && request.body_length && sent != *request.body_length)
        return make_error(errc::invalid_argument, request_prefix(spec.method, spec.target) +
                                                      "request body shorter than its length");
      req.body().data = *n > 0 ? buf.data() : nullptr;
      req.body().size = *n;
      req.body().more = *n > 0;
      auto ec = conn.write_some(sr);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) return fail(ec);
      if (*n == 0) return {};
    }
  }

  /// One request and its response on one connection (no redirects).
  exchange_result exchange(const http_request& request, const exchange_spec& spec,
                           const response_handler* handler, bool fresh, std::stop_token stop) {
    exchange_result result;
    std::unique_ptr<http_connection> conn;
    bool reused = false;
    if (!fresh) {
      conn = take_idle(spec.target);
      reused = conn != nullptr;
    }
    if (!conn) {
      auto opened = connect(spec.target);
      if (!opened) {
        result.response =
            make_error(error_kind(opened.error()).value_or(errc::unavailable),
                       request_prefix(spec.method, spec.target) + error_message(opened.error()));
        return result;
      }
      conn = std::move(*opened);
    }
    bool replayable = !request.body_source || !spec.send_body;
    bool stale = false;
    if (auto err = write_request(*conn, request, spec, stale, stop)) {
      result.retry_on_fresh_connection = reused && stale && replayable;
      result.response = std::move(err);
      return result;
    }
    detail::response_parser parser;
    parser.body_limit(std::numeric_limits<uint64_t>::max());
    parser.header_limit(options.max_header_bytes);
    if (spec.method == http_method::head) parser.skip(true);
    if (auto ec = conn->read_header(parser)) {
      result.retry_on_fresh_connection = reused && replayable && is_stale_connection_error(ec);
      result.response = transport_error(spec.method, spec.target, ec);
      return result;
    }
    http_response response;
    const auto& head = parser.get();
    response.status = static_cast<int>(head.result_int());
    response.reason = std::string(head.reason());
    for (const auto& field : head)
      response.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    response.final_url = spec.target;
    bool stream_to_handler = handler && response.success();
    if (stream_to_handler && handler->on_head) {
      if (auto err = handler->on_head(response)) {
        result.response = std::move(err);
        return result;
      }
    }
    auto err =
        read_body(*conn, parser, response, stream_to_handler ? handler : nullptr, spec, stop);
    if (err) {
      result.response = std::move(err);
      return result;
    }
    if (parser.is_done() && parser.keep_alive()) release(spec.target, std::move(conn));
    result.response = std::move(response);
    return result;
  }

  /// Reads the body into `handler` or into `response.body` (bounded; error bodies are cut at
  /// the bound, leaving the connection unusable).
  caf::error read_body(http_connection& conn, detail::response_parser& parser,
                       http_response& response, const response_handler* handler,
                       const exchange_spec& spec, std::stop_token stop) {
    std::vector<char> buf(piece_size);
    while (!parser.is_done()) {
      if (stop.stop_requested())
        return make_error(errc::unavailable,
                          request_prefix(spec.method, spec.target) + "operation canceled");
      parser.get().body().data = buf.data();
      parser.get().body().size = buf.size();
      auto ec = conn.read_some(parser);
      if (ec == http::error::need_buffer) ec = {};
      // Bytes parsed before a failure are good: deliver them (a resume starts after them).
      size_t n = buf.size() - parser.get().body().size;
      if (n > 0 && handler && handler->on_data)
        if (auto err = handler->on_data(buf.data(), n)) return err;
      if (ec) return transport_error(spec.method, spec.target, ec);
      if (n == 0 || handler) continue;
      if (response.body.size() + n > options.max_buffered_body) {
        if (response.success())
          return make_error(errc::invalid_argument, request_prefix(spec.method, spec.target) +
                                                        "response body larger than " +
                                                        std::to_string(options.max_buffered_body) +
                                                        " bytes");
        response.body.append(buf.data(), options.max_buffered_body - response.body.size());
        return {}; // the connection is dropped: the rest of the body is never read
      }
      response.body.append(buf.data(), n);
    }
    return {};
  }

  caf::expected<http_response> send(const http_request& request, const response_handler* handler,
                                    std::stop_token stop) {
    exchange_spec spec{request.method, request.target};
    const auto origin = request.target.endpoint_key();
    for (int redirects = 0;; ++redirects) {
      auto result = exchange(request, spec, handler, false, stop);
      if (!result.response && result.retry_on_fresh_connection)
        result = exchange(request, spec, handler, true, stop);
      if (!result.response) return std::move(result.response.error());
      auto& response = *result.response;
      auto location = response.header("Location");
      if (!request.follow_redirects || !is_redirect(response.status) || !location)
        return std::move(response);
      // 307 and 308 repeat the request, body included: a streamed body cannot be sent twice, so
      // the redirect is the answer then (as in Go's client).
      bool keep_method = response.status == 307 || response.status == 308;
      if (keep_method && spec.send_body && request.body_source) return std::move(response);
      if (redirects + 1 > options.max_redirects)
        return make_error(errc::unavailable,
                          request_prefix(spec.method, spec.target) + "stopped after " +
                              std::to_string(options.max_redirects) + " redirects");
      auto next = spec.target.resolve(*location);
      if (!next)
        return make_error(errc::unavailable,
                          request_prefix(spec.method, spec.target) + "invalid redirect location");
      // 301, 302 and 303 go on as a GET without the body (a HEAD stays a HEAD), as in Go's
      // client.
      if (!keep_method) {
        if (spec.method != http_method::head) spec.method = http_method::get;
        spec.send_body = false;
      }
      spec.target = std::move(*next);
      // Credentials for the registry never go to another host (blob storage, CDNs).
      if (spec.target.endpoint_key() != origin) spec.drop_authorization = true;
    }
  }
};

http_client::http_client(http_client_options options, tls_policy policy)
    : impl_(std::make_unique<impl>()) {
  impl_->options = std::move(options);
  impl_->policy = std::move(policy);
}

http_client::~http_client() = default;

caf::expected<http_response> http_client::send(const http_request& request, std::stop_token stop) {
  return impl_->send(request, nullptr, std::move(stop));
}

caf::expected<http_response> http_client::send(const http_request& request,
                                               const response_handler& handler,
                                               std::stop_token stop) {
  return impl_->send(request, &handler, std::move(stop));
}

const http_client_options& http_client::options() const {
  return impl_->options;
}

} // namespace berth::registry
