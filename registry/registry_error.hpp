// Registry failures as Berth errors: the distribution API's error JSON
// (`{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`) rendered as dockerd
// renders it ("manifest unknown: manifest unknown"), the status → errc table, dockerd's pull
// wording ("pull access denied for x, repository does not exist or may require 'docker login'"),
// and which errors are worth a retry.
// Trust: error bodies are untrusted; they are bounded by the HTTP client and parsed defensively.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>

#include "registry/http_types.hpp"
#include "storage/reference.hpp"

namespace berth::registry {

/// One entry of a registry's error list.
struct registry_error_entry {
  std::string code;    ///< "MANIFEST_UNKNOWN", "UNAUTHORIZED", "DENIED", ...
  std::string message; ///< "manifest unknown"
};

/// The `errors` of an error body; empty when the body is not the distribution API's JSON.
[[nodiscard]] std::vector<registry_error_entry> parse_error_body(std::string_view body);

/// The text dockerd shows for one entry: the code in lower case with spaces ("manifest
/// unknown") and the message: "manifest unknown: manifest unknown".
[[nodiscard]] std::string describe(const registry_error_entry& entry);

/// The error for a response that failed: the first registry error's text, or for a body without
/// one "unauthorized: authentication required" (401), "toomanyrequests: too many requests"
/// (429), else "received unexpected HTTP status: 500 Internal Server Error". Kinds: 401
/// unauthorized, DENIED/403 forbidden, *_UNKNOWN/404 not_found, 429/5xx/408 unavailable (retry
/// worthy), other 4xx invalid_argument.
[[nodiscard]] caf::error response_error(const http_response& response);

/// dockerd's translatePullError for a pull of `ref`: "denied" → not_found "pull access denied
/// for busybox, repository does not exist or may require 'docker login': denied: ...",
/// "manifest unknown" → not_found "manifest for busybox:1 not found: manifest unknown: ...",
/// "name unknown" → not_found "repository busybox not found: name unknown: ...".
[[nodiscard]] caf::error translate_pull_error(const caf::error& err, const storage::reference& ref);

/// True for failures a retry may cure: transport errors, timeouts, 5xx, 408 and 429.
[[nodiscard]] bool is_transient(const caf::error& err);

} // namespace berth::registry
