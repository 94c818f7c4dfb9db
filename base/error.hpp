// Berth's one error domain: an `errc` per kind of failure, carried as `caf::error` with a message.
//
// Every module returns `caf::expected<T>` / `caf::error` at its boundary. The kind decides the
// HTTP status (mapped once, in api/error_mapping); the message is what the user reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <caf/atom.hpp>
#include <caf/error.hpp>

namespace berth {

/// Kinds of failure, named for what the caller should do about them.
enum class errc : uint8_t {
  invalid_argument = 1, ///< the request is malformed or a value is out of range (400)
  not_found,            ///< the named object does not exist (404)
  conflict,             ///< the object's state forbids the operation (409)
  not_modified,         ///< nothing to do, already in the requested state (304)
  forbidden,            ///< the operation is never allowed on this object (403)
  unauthorized,         ///< credentials missing or wrong (401)
  unavailable,          ///< a component is overloaded or shutting down (503)
  timeout,              ///< a component did not answer in time (503)
  not_implemented,      ///< the feature is not available in this build or on this host (501)
  system,               ///< an operating-system call failed (500)
  internal,             ///< anything else (500)
};

/// The category atom of Berth's errors inside `caf::error`.
inline constexpr caf::atom_value error_category = caf::atom("berth");

/// Returns the name of `x`, e.g. "not_found".
[[nodiscard]] const char* to_string(errc x);

/// Makes an error of kind `code` whose user-facing text is `message`.
[[nodiscard]] caf::error make_error(errc code, std::string message);

/// Makes an error of kind `code` with a generic message (lets `caf::error` convert from `errc`).
[[nodiscard]] caf::error make_error(errc code);

/// Returns the kind of a Berth error, or nullopt for errors from other categories (e.g. CAF's).
[[nodiscard]] std::optional<errc> error_kind(const caf::error& err);

/// Returns the user-facing text of any error: Berth's message, or a rendering of CAF's own errors.
[[nodiscard]] std::string error_message(const caf::error& err);

} // namespace berth
