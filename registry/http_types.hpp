// The values the registry's HTTP client exchanges: methods, headers, requests, responses, and the
// callbacks that stream bodies in and out without buffering them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "registry/url.hpp"

namespace berth::registry {

enum class http_method : uint8_t { get, head, put, post, patch, delete_ };

/// "GET", "HEAD", ...
[[nodiscard]] std::string_view to_string(http_method m);

struct http_header {
  std::string name;
  std::string value;
};

using http_headers = std::vector<http_header>;

/// True when two header names are the same (ASCII case-insensitive).
[[nodiscard]] bool same_header_name(std::string_view a, std::string_view b);

/// The first header called `name` (ASCII case-insensitive), or nullopt.
[[nodiscard]] std::optional<std::string_view> find_header(const http_headers& headers,
                                                          std::string_view name);

/// An Authorization (or Proxy-Authorization) value with Basic credentials:
/// "Basic " + base64("<username>:<password>").
[[nodiscard]] std::string basic_authorization(std::string_view username, std::string_view password);

/// Supplies a streamed request body: writes up to `n` bytes into `buf` and returns how many,
/// 0 at the end, or an error that aborts the request.
using body_reader = std::function<caf::expected<size_t>(char* buf, size_t n)>;

struct http_request {
  http_method method = http_method::get;
  url target;
  /// Sent as given, in order (Host, User-Agent and the body's framing are added by the client).
  http_headers headers;
  /// A buffered body, used when `body_source` is empty. Replayable: such a request is retried on
  /// a fresh connection when a kept-alive one turns out to be closed, and follows 307/308.
  std::string body;
  /// A streamed body (blob uploads). Not replayable.
  body_reader body_source;
  /// The length of `body_source`'s body (Content-Length); unset sends it chunked.
  std::optional<uint64_t> body_length;
  bool follow_redirects = true;
};

struct http_response {
  int status = 0;
  std::string reason;
  http_headers headers;
  /// The body of a response that was not streamed to a handler (bounded by the client).
  std::string body;
  /// Where the response came from, after redirects.
  url final_url;

  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const {
    return find_header(headers, name);
  }
  /// Every header called `name` (e.g. several WWW-Authenticate challenges).
  [[nodiscard]] std::vector<std::string_view> headers_named(std::string_view name) const;
  [[nodiscard]] bool success() const { return status >= 200 && status < 300; }
};

/// Where a successful (2xx) response's body goes. Other statuses are buffered into
/// `http_response::body` (bounded) so callers can read the registry's error JSON.
struct response_handler {
  /// Called once with the 2xx response's head before its body; an error aborts the transfer.
  std::function<caf::error(const http_response& head)> on_head;
  /// Called with each piece of the body as it arrives; an error aborts the transfer.
  std::function<caf::error(const char* data, size_t n)> on_data;
};

} // namespace berth::registry
