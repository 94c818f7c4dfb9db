// Berth's error domain.
#include "base/error.hpp"

#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace berth {

const char* to_string(errc x) {
  switch (x) {
  case errc::invalid_argument:
    return "invalid_argument";
  case errc::not_found:
    return "not_found";
  case errc::conflict:
    return "conflict";
  case errc::not_modified:
    return "not_modified";
  case errc::forbidden:
    return "forbidden";
  case errc::unauthorized:
    return "unauthorized";
  case errc::unavailable:
    return "unavailable";
  case errc::timeout:
    return "timeout";
  case errc::not_implemented:
    return "not_implemented";
  case errc::system:
    return "system";
  case errc::internal:
    return "internal";
  }
  return "unknown";
}

caf::error make_error(errc code, std::string message) {
  return caf::error{static_cast<uint8_t>(code), error_category,
                    caf::make_message(std::move(message))};
}

caf::error make_error(errc code) {
  return make_error(code, to_string(code));
}

std::optional<errc> error_kind(const caf::error& err) {
  if (!err || err.category() != error_category) return std::nullopt;
  return static_cast<errc>(err.code());
}

std::string error_message(const caf::error& err) {
  if (!err) return {};
  if (err.category() == error_category) {
    const auto& ctx = err.context();
    if (ctx.match_elements<std::string>()) return ctx.get_as<std::string>(0);
    return to_string(static_cast<errc>(err.code()));
  }
  if (err.category() == caf::atom("system")) {
    switch (static_cast<caf::sec>(err.code())) {
    case caf::sec::request_timeout:
      return "timed out waiting for an internal component";
    case caf::sec::request_receiver_down:
      return "an internal component is not running";
    default:
      break;
    }
    return "internal error: " + caf::to_string(static_cast<caf::sec>(err.code()));
  }
  return "internal error: " + caf::to_string(err);
}

} // namespace berth
