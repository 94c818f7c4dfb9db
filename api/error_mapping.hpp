// The one place where errors become HTTP: Berth's error kinds → Docker's status codes, and the
// `{"message": ...}` body every error carries.
#pragma once

#include <string>

#include <caf/error.hpp>

#include "api/http_types.hpp"

namespace berth::api {

/// The HTTP status for an error (Berth kinds; CAF timeouts and dead actors → 503; else 500).
[[nodiscard]] int status_for(const caf::error& err);

/// `{"message":"..."}\n` for `message`.
[[nodiscard]] std::string error_body(const std::string& message);

/// The full response for an error.
[[nodiscard]] http_response error_response(const caf::error& err);

/// A response with a status and a message, for errors raised by the HTTP layer itself.
[[nodiscard]] http_response error_response(int status, const std::string& message);

} // namespace berth::api
