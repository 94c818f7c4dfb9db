// The HTTP request and response as handlers see them, independent of Beast.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "api/api_version.hpp"
#include "api/query.hpp"

namespace berth::api {

struct http_request {
  std::string method;                    ///< "GET", "POST", ...
  std::string target;                    ///< as received, e.g. "/v1.50/info?x=1"
  std::string path;                      ///< decoded, without version prefix or query
  api_version version = max_api_version; ///< from the prefix, or the newest
  query_params query;
  std::map<std::string, std::string> headers; ///< lower-case names
  std::string body;
  std::map<std::string, std::string> params; ///< path parameters from the route, e.g. {id}

  /// A header value or "".
  [[nodiscard]] const std::string& header(const std::string& lower_name) const;
  /// A path parameter or "".
  [[nodiscard]] const std::string& param(const std::string& name) const;
};

struct http_response {
  int status = 200;
  std::string content_type; ///< empty: no Content-Type header
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

} // namespace berth::api
