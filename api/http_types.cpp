// The HTTP request and response as handlers see them.
#include "api/http_types.hpp"

namespace berth::api {

namespace {
const std::string empty_string;
} // namespace

const std::string& http_request::header(const std::string& lower_name) const {
  auto i = headers.find(lower_name);
  return i == headers.end() ? empty_string : i->second;
}

const std::string& http_request::param(const std::string& name) const {
  auto i = params.find(name);
  return i == params.end() ? empty_string : i->second;
}

} // namespace berth::api
