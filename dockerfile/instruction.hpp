// One Dockerfile instruction and the argument forms Docker uses: JSON arrays, shell words with
// quotes and escapes, key=value pairs, port lists. Shared by `--change` (import, commit) and the
// builder.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/expected.hpp>

namespace berth::dockerfile {

struct instruction {
  std::string keyword; ///< upper case: "CMD", "ENV", ...
  std::string args;    ///< everything after the keyword, trimmed
};

/// Splits "CMD [\"sh\"]" into {"CMD", "[\"sh\"]"}. Fails on an empty line.
[[nodiscard]] caf::expected<instruction> split_instruction(std::string_view line);

/// The JSON form: a JSON array of strings, or nullopt when `args` is not one (shell form).
[[nodiscard]] std::optional<std::vector<std::string>> parse_json_form(std::string_view args);

/// Words as Docker's shell-word parser splits them: whitespace separates, quotes group,
/// backslash escapes (`escape` is the escape character, '\\' unless a directive changed it).
[[nodiscard]] caf::expected<std::vector<std::string>> split_words(std::string_view args,
                                                                  char escape = '\\');

/// ENV/LABEL pairs: "a=1 b=\"x y\"" or the legacy single pair "a one two" → {a, "one two"}.
[[nodiscard]] caf::expected<std::vector<std::pair<std::string, std::string>>>
parse_key_values(std::string_view keyword, std::string_view args, char escape = '\\');

/// EXPOSE arguments: "80 443/tcp 8000-8002/udp" → {"80/tcp","443/tcp","8000/udp",...}.
[[nodiscard]] caf::expected<std::vector<std::string>> parse_ports(const std::vector<std::string>& words);

} // namespace berth::dockerfile
