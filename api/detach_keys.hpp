// Docker's detach key sequences ("ctrl-p,ctrl-q") for attach and exec.
#pragma once

#include <string>

#include <caf/expected.hpp>

namespace berth::api {

/// "ctrl-p,ctrl-q" → "\x10\x11"; fails with dockerd's "Invalid detach keys (...) provided".
[[nodiscard]] caf::expected<std::string> parse_detach_keys(const std::string& text);

} // namespace berth::api
