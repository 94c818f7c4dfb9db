// Docker Engine API versions: parsing "1.50", comparison, the range Berth serves, and the
// `/vX.Y/` path prefix.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace berth::api {

struct api_version {
  int major = 1;
  int minor = 50;

  [[nodiscard]] static std::optional<api_version> parse(std::string_view text);
  [[nodiscard]] std::string to_string() const;
  auto operator<=>(const api_version&) const = default;
};

inline constexpr api_version min_api_version{1, 24};
inline constexpr api_version max_api_version{1, 50};

/// A request path split into its API version and the rest.
struct versioned_path {
  api_version version = max_api_version; ///< the newest for unversioned paths
  std::string path;                      ///< without the prefix, always starting with '/'
};

/// Splits "/v1.41/containers/json" into {1.41, "/containers/json"}. Unversioned paths get the
/// newest version. Versions outside [1.24, 1.50] fail with Docker's messages (400).
/// A prefix that is not a version ("/vx/...") is treated as part of the path, as moby does.
[[nodiscard]] caf::expected<versioned_path> split_version(std::string_view path);

} // namespace berth::api
