// Go's filepath.Match on Linux: the shell pattern COPY/ADD sources use for wildcards, and the
// syntax check .dockerignore patterns go through.
#pragma once

#include <string_view>

#include <caf/expected.hpp>

namespace berth::dockerfile {

/// filepath.Match(pattern, name): `*` is any run of non-'/' characters, `?` one non-'/'
/// character, `[...]` a class (`^` negates, `a-z` ranges), `\` quotes the next character. The
/// whole name must match. A malformed pattern fails with "syntax error in pattern" (errc
/// invalid_argument), even when the name would not have matched.
[[nodiscard]] caf::expected<bool> go_path_match(std::string_view pattern, std::string_view name);

/// Whether `name` contains an unescaped `*`, `?` or `[` (dockerd's containsWildcards).
[[nodiscard]] bool contains_wildcards(std::string_view name);

} // namespace berth::dockerfile
