// berth-shim's own diagnostics: timestamped lines appended to shim.log in the state directory.
#pragma once

#include <string_view>

namespace berth::shim {

/// Opens (appends to) the diagnostics file; until then `diag` writes nothing.
void open_diag(const char* path);

/// Appends "<RFC 3339 time> <message>\n".
void diag(std::string_view message);

} // namespace berth::shim
