// Docker's size strings: "64m" as RAM (binary units) and "10MB" as human sizes (decimal units).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth::units {

/// Parses like docker's units.RAMInBytes: "64m", "1.5g", "512" (bytes); b/k/m/g/t/p with an
/// optional trailing "b"/"ib", case-insensitive, powers of 1024.
[[nodiscard]] std::optional<int64_t> parse_ram_bytes(std::string_view text);

/// Parses like docker's units.FromHumanSize: "10m", "10MB", "1.5k"; powers of 1000.
[[nodiscard]] std::optional<int64_t> parse_human_size(std::string_view text);

/// Formats like docker's units.HumanSize (4 significant digits): "1.234MB", "512B".
[[nodiscard]] std::string human_size(double bytes);

} // namespace berth::units
