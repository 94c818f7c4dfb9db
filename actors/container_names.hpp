// Container names: dockerd's validity rule, and generated names ("adjective_surname") for
// containers created without one.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <caf/error.hpp>

namespace berth::actors {

/// Checks `name` (without the leading '/') against [a-zA-Z0-9][a-zA-Z0-9_.-]+, with dockerd's
/// message on failure.
[[nodiscard]] caf::error validate_container_name(std::string_view name);

/// A random "adjective_surname" for which `taken` is false (a numeric suffix after many tries).
[[nodiscard]] std::string
generate_container_name(const std::function<bool(const std::string&)>& taken);

} // namespace berth::actors
