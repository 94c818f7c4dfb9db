// Argument forms shared by Dockerfile instructions: JSON arrays (exec form) and EXPOSE's port
// lists.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/expected.hpp>

namespace berth::dockerfile {

/// How an argument text reads as JSON (buildkit's parseJSON): not a JSON array at all (shell
/// form), an array of strings (exec form), or an array with something else in it (an error in a
/// Dockerfile: "when using JSON array syntax, arrays must be comprised of strings only").
enum class json_form { not_json, strings, not_strings };

struct json_array {
  json_form form = json_form::not_json;
  std::vector<std::string> words; ///< the strings, for json_form::strings
};

/// Reads `args` as Go's encoding/json would: leading white space skipped, it must start with '[',
/// invalid UTF-8 inside strings becomes U+FFFD, anything after the array makes it not JSON.
[[nodiscard]] json_array parse_json_array(std::string_view args);

/// EXPOSE arguments as dockerd reads them (its parsePortSpecs): "80 443/tcp 8000-8002/udp" →
/// {"80/tcp","443/tcp","8000/udp",...}; "ip:host:container/proto" forms expose the container
/// port. Errors: "invalid containerPort: x", "invalid hostPort: x", "invalid proto: x",
/// "no port specified: x<empty>".
[[nodiscard]] caf::expected<std::vector<std::string>>
parse_ports(const std::vector<std::string>& words);

} // namespace berth::dockerfile
