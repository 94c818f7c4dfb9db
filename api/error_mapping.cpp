// Errors → HTTP statuses and bodies.
#include "api/error_mapping.hpp"

#include <caf/sec.hpp>
#include <nlohmann/json.hpp>

#include "base/error.hpp"

namespace berth::api {

int status_for(const caf::error& err) {
  if (auto kind = error_kind(err)) {
    switch (*kind) {
    case errc::invalid_argument:
      return 400;
    case errc::unauthorized:
      return 401;
    case errc::forbidden:
      return 403;
    case errc::not_found:
      return 404;
    case errc::conflict:
      return 409;
    case errc::not_modified:
      return 304;
    case errc::unavailable:
    case errc::timeout:
      return 503;
    case errc::not_implemented:
      return 501;
    case errc::system:
    case errc::internal:
      return 500;
    }
  }
  if (err.category() == caf::atom("system")) {
    auto code = static_cast<caf::sec>(err.code());
    if (code == caf::sec::request_timeout || code == caf::sec::request_receiver_down) return 503;
  }
  return 500;
}

std::string error_body(const std::string& message) {
  nlohmann::json body{{"message", message}};
  // Replace invalid UTF-8 instead of throwing: messages may quote user input.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

http_response error_response(const caf::error& err) {
  return error_response(status_for(err), error_message(err));
}

http_response error_response(int status, const std::string& message) {
  http_response r;
  r.status = status;
  if (status != 304) {
    r.content_type = "application/json";
    r.body = error_body(message);
  }
  return r;
}

} // namespace berth::api
