// The little JSON berth-shim needs: Docker's string escaping for json-file logs, and a minimal
// reader for a few fields of trusted files (config.json, the runtime's JSON log lines).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace berth::shim {

/// Appends `bytes` as a quoted JSON string exactly as dockerd's json-file driver writes it:
/// `"` `\` as \" \\, \n \r, other control characters and < > & as \u00XX, U+2028/U+2029 escaped,
/// and every byte of invalid UTF-8 replaced with \ufffd (like Go's utf8.DecodeRune).
void append_json_string(std::string& out, std::string_view bytes);

/// The exit JSON of runtime/shim_protocol.hpp:
/// {"exit_code":N,"oom_killed":bool,"finished_at":unix-ns,"pid":N}.
[[nodiscard]] std::string format_exit_json(int exit_code, bool oom_killed, int64_t finished_at,
                                           int pid);

/// Returns the string at `path` (object keys from the top level), e.g. {"linux","cgroupsPath"}.
/// Nullopt when absent, not a string, or the text is not valid JSON up to that point.
/// Nesting is limited to 32 levels.
[[nodiscard]] std::optional<std::string>
find_json_string(std::string_view json, std::initializer_list<std::string_view> path);

/// Returns the integer at `path`.
[[nodiscard]] std::optional<int64_t>
find_json_integer(std::string_view json, std::initializer_list<std::string_view> path);

} // namespace berth::shim
