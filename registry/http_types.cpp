// Helpers of the HTTP value types.
#include "registry/http_types.hpp"

#include <strings.h>

#include "base/base64.hpp"

namespace berth::registry {

bool same_header_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view to_string(http_method m) {
  switch (m) {
  case http_method::get:
    return "GET";
  case http_method::head:
    return "HEAD";
  case http_method::put:
    return "PUT";
  case http_method::post:
    return "POST";
  case http_method::patch:
    return "PATCH";
  case http_method::delete_:
    return "DELETE";
  }
  return "GET";
}

std::optional<std::string_view> find_header(const http_headers& headers, std::string_view name) {
  for (const auto& h : headers)
    if (same_header_name(h.name, name)) return std::string_view{h.value};
  return std::nullopt;
}

std::vector<std::string_view> http_response::headers_named(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& h : headers)
    if (same_header_name(h.name, name)) out.emplace_back(h.value);
  return out;
}

std::string basic_authorization(std::string_view username, std::string_view password) {
  return "Basic " + base64_encode(std::string(username) + ":" + std::string(password));
}

} // namespace berth::registry
